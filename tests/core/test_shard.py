"""test_shard.py: three daemons split one feed list with no coordinator (--shard I/N).

24 feeds on 8 hosts (the fixture server answers on 127.0.0.1 to 127.0.0.8). Three daemons
run at once over the same list, each with its own spool and state and its own contact URL
in the User-Agent; the fixture's request log must show every feed polled by exactly one of
them, and every host by only one (so per-host politeness holds across the fleet)."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402

HOSTS = 8
FEEDS_PER_HOST = 3


class ShardTest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def write_feed(self, host, k):
        """A feed with one item, whose page (its own text) sits on the same host."""
        name = "shard-h%d-%d" % (host, k)
        port = self.fx.base.rsplit(":", 1)[1]
        base = "http://127.0.0.%d:%s" % (host, port)
        with open(os.path.join(self.fx.www, "pages", name + ".html"), "w") as f:
            f.write("<html><head><title>Report %d.%d</title></head><body><article><h1>Report %d.%d"
                    "</h1>%s</article></body></html>" % (host, k, host, k, "".join(
                        "<p>Paragraph %d of report %d from host %d, with words of its own: %s.</p>"
                        % (p, k, host, " ".join("w%d_%d_%d" % (host, k, p * 10 + n) for n in range(12)))
                        for p in range(4))))
        with open(os.path.join(self.fx.www, "feeds", name + ".xml"), "w") as f:
            f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>"
                    "<item><title>Report %d.%d</title><link>%s/pages/%s.html</link></item>"
                    "</channel></rss>" % (name, host, k, base, name))
        return "%s/feeds/%s.xml" % (base, name)

    def test_three_daemons_poll_each_feed_once(self):
        urls = [self.write_feed(h, k) for h in range(1, HOSTS + 1) for k in range(FEEDS_PER_HOST)]
        with open(self.fx.feeds, "w") as f:
            f.write("\n".join(urls) + "\n")
        daemons = []
        for i in (1, 2, 3):
            self.fx.write_config(spool=os.path.join(self.fx.dir, "spool%d" % i),
                                 state=os.path.join(self.fx.dir, "state%d.db" % i),
                                 contact_url="daemon-%d@example.org" % i)
            config = os.path.join(self.fx.dir, "daemon%d.conf" % i)
            os.rename(self.fx.config, config)
            daemons.append(subprocess.Popen([BIN, "once", "-c", config, "--shard", "%d/3" % i],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        logs = []
        for d in daemons:
            out, err = d.communicate(timeout=60)
            self.assertEqual(d.returncode, 0, err)
            logs.append(err)

        polled_by = {}  # feed path -> daemons that polled it
        # RFC 9110 User-Agent: product *( RWS ( product / comment ) ), the contact in a comment.
        token = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
        user_agent = re.compile(r"%s(/%s)?( (%s(/%s)?|\([^()]*\)))*$" % ((token,) * 4))
        for line in self.fx.requests():
            ua = re.search(r" ua=(.*) ms=\d+$", line).group(1)
            self.assertRegex(ua, user_agent, "User-Agent is a product and comments")
            self.assertIn("(+daemon-", ua)
            m = re.match(r"GET (/feeds/shard-h(\d+)-\d+\.xml) .*daemon-(\d)@example\.org", line)
            if m:
                polled_by.setdefault(m.group(1), []).append(int(m.group(3)))
        self.assertEqual(len(polled_by), HOSTS * FEEDS_PER_HOST, "every feed polled")
        for path, who in polled_by.items():
            self.assertEqual(len(who), 1, "%s polled by daemons %s" % (path, who))
        owner_of_host = {}
        for path, who in polled_by.items():
            host = int(re.search(r"shard-h(\d+)-", path).group(1))
            owner_of_host.setdefault(host, set()).add(who[0])
        for host, owners in owner_of_host.items():
            self.assertEqual(len(owners), 1, "host 127.0.0.%d split across %s" % (host, owners))
        counts = [sum(1 for who in polled_by.values() if who[0] == i) for i in (1, 2, 3)]
        for i, log in enumerate(logs, 1):
            self.assertIn("shard %d/3: polling %d of the %d feeds" % (i, counts[i - 1], len(urls)), log)
        # Each daemon wrote the records of its own feeds, one per feed.
        for i in (1, 2, 3):
            new = os.path.join(self.fx.dir, "spool%d" % i, "new")
            written = len(os.listdir(new)) if os.path.isdir(new) else 0
            self.assertEqual(written, counts[i - 1])


if __name__ == "__main__":
    unittest.main()
