"""test_security.py: the promises of docs/security.md, tried from outside.

- A name with both an allowed and a refused address (x.localhost: 127.0.0.1 and ::1) is
  fetched over the allowed one; the refused attempt does not fail the item.
- Where a feed's server redirects to passes the address policy (the feed's own URL is the
  administrator's choice), and a 301 is only remembered when its target is allowed.
- A feed's text cannot forge log lines: one logged value is one line, quotes escaped.
- user:password@ in a feed URL is sent, and printed nowhere (log, records, metrics,
  export-opml); credentials can come from a file of their own (`credentials`, or systemd's
  $CREDENTIALS_DIRECTORY/feedspool-credentials).
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
from test_e2e import free_port, scrape  # noqa: E402

ITEM = ("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
        "<description><![CDATA[<p>%s</p><p>This summary stands in when the page cannot be "
        "fetched, and it is long enough to be kept as the article's text by the cleaner.</p>]]>"
        "</description></item>")


def rss(title, items):
    return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>%s"
            "</channel></rss>" % (title, items))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def has_ipv6_loopback(port):
    try:
        with socket.create_connection(("::1", port), timeout=2):
            return True
    except OSError:
        return False


class DualStackNames(unittest.TestCase):
    """Article links on x.localhost, which libcurl resolves to 127.0.0.1 and ::1."""

    def run_with(self, allow):
        fx = Fixture()
        try:
            port = fx.base.rsplit(":", 1)[1]
            if allow == "::1/128" and not has_ipv6_loopback(int(port)):
                self.skipTest("no IPv6 loopback here")
            items = "".join(
                ITEM % ("item %d" % i, "http://item%d.localhost:%s/pages/seed-00%d.html" % (i, port, i % 5),
                        "dual-%d" % i, "Summary %d." % i) for i in range(5))
            write(os.path.join(fx.www, "feeds", "dual.xml"), rss("Dual", items))
            fx.write_config(allow_networks=allow)
            fx.write_feeds("/feeds/dual.xml")
            result = fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            records = list(fx.records().values())
            self.assertEqual(len(records), 5, result.stderr)
            for r in records:
                self.assertEqual(r["text_source"], "page", (r["url"], result.stderr))
            self.assertEqual(set(fx.item_states().values()), {"emitted"})
        finally:
            fx.close()

    def test_ipv4_allowed_ipv6_refused(self):
        # the case: ::1 is refused when libcurl tries it, 127.0.0.1 answers
        self.run_with("127.0.0.0/8")

    def test_ipv6_allowed_ipv4_refused(self):
        # the same, made certain: libcurl tries 127.0.0.1 first (refused), then ::1 answers
        self.run_with("::1/128")


class FeedRedirects(unittest.TestCase):
    """The feed list names 127.0.0.2, which alone is allowed; its server redirects."""

    def setUp(self):
        self.fx = Fixture()
        self.other = self.fx.base.replace("127.0.0.1", "127.0.0.2")
        items = "".join(ITEM % ("moved %d" % i, self.other + "/pages/seed-00%d.html" % i,
                                "moved-%d" % i, "Summary %d." % i) for i in range(3))
        write(os.path.join(self.fx.www, "feeds", "moved.xml"), rss("Moved", items))
        self.fx.write_config(allow_networks="127.0.0.2/32")

    def tearDown(self):
        self.fx.close()

    def moved_to(self, url):
        db = sqlite3.connect(self.fx.state)
        try:
            row = db.execute("SELECT moved_to FROM feeds WHERE url = ?", (url,)).fetchone()
            return row[0] if row else None
        finally:
            db.close()

    def test_redirects_out_of_the_policy_are_refused_and_not_remembered(self):
        feeds = {
            "temporary": self.other + "/redirect-to/302/127.0.0.1/feeds/moved.xml",
            "permanent": self.other + "/redirect-to/301/127.0.0.1/feeds/moved.xml?p",
            "metadata": self.other + "/redirect-to/308/169.254.169.254/latest/meta-data/",
        }
        with open(self.fx.feeds, "w") as f:
            f.write("".join(url + "\n" for url in feeds.values()))
        result = self.fx.once()
        self.assertEqual(result.returncode, 4, "every feed failed: " + result.stderr)
        self.assertEqual(self.fx.records(), {}, result.stderr)
        requested = [r.split()[1] for r in self.fx.requests()]
        self.assertNotIn("/feeds/moved.xml", requested, "no feed fetched from 127.0.0.1")
        self.assertNotIn("/feeds/moved.xml?p", requested)
        self.assertIn("refused to connect to 127.0.0.1: loopback address", result.stderr)
        self.assertIn("refused to connect to 169.254.169.254: link-local address", result.stderr)
        for url in feeds.values():
            self.assertIsNone(self.moved_to(url), url)
        # the next run polls the same URLs again (nothing was remembered)
        again = self.fx.once()
        requested = [r.split()[1] for r in self.fx.requests()]
        self.assertEqual(requested.count("/redirect-to/301/127.0.0.1/feeds/moved.xml?p"), 2,
                         again.stderr)

    def test_a_permanent_redirect_inside_the_policy_is_followed_and_remembered(self):
        url = self.other + "/redirect/301/feeds/moved.xml"
        with open(self.fx.feeds, "w") as f:
            f.write(url + "\n")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.fx.records()), 3, result.stderr)
        self.assertEqual(self.moved_to(url), self.other + "/feeds/moved.xml")

    def test_the_feed_url_itself_is_the_administrator_s_choice(self):
        # 127.0.0.1 is outside the policy, but the feed list names it: fetched
        with open(self.fx.feeds, "w") as f:
            f.write(self.fx.base + "/feeds/moved.xml\n")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.fx.records()), 3, result.stderr)


class LogInjection(unittest.TestCase):
    def test_a_forged_line_stays_inside_its_own(self):
        fx = Fixture()
        try:
            # an item without a link is logged with its title; the feed's name and links
            # carry the same attack into other lines
            forged = "Honest&#10;&lt;2&gt;forged entry&#13;&#10;key=\"x\" \\ end"
            items = ("<item><title>%s</title><guid isPermaLink=\"false\">no-link</guid>"
                     "<description>%s</description></item>" % (forged, "A body without a link."))
            items += ITEM % ("linked", fx.base + "/status/500?&#10;&lt;2&gt;forged-link", "linked",
                             "Summary.")
            write(os.path.join(fx.www, "feeds", "forged.xml"), rss("Feed&#10;&lt;2&gt;forged", items))
            fx.write_feeds("/feeds/forged.xml")
            result = fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = result.stderr.splitlines()
            for line in lines:
                self.assertRegex(line, r"^\S+Z (error|warning|notice|info|debug) ",
                                 "every line starts with its own time and level")
            title_lines = [l for l in lines if "item has no link feed=" in l]
            self.assertEqual(len(title_lines), 1, result.stderr)
            self.assertIn('title="Honest\\n<2>forged entry\\r\\nkey=\\"x\\" \\\\ end"', title_lines[0])
            self.assertNotIn("\r", result.stderr)
        finally:
            fx.close()


class Credentials(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        items = "".join(ITEM % ("private %d" % i, "/pages/seed-00%d.html" % i, "private-%d" % i,
                                "Summary %d." % i) for i in range(3))
        # the links are relative: made absolute against the feed's URL, they must not
        # inherit its user:password@
        write(os.path.join(self.fx.www, "private", "feeds", "private.xml"), rss("Private", items))
        self.port = self.fx.base.rsplit(":", 1)[1]

    def tearDown(self):
        self.fx.close()

    def assert_no_secret(self, text, where):
        self.assertNotIn("s3cret", text, where)
        self.assertNotIn("alice", text, where)

    def test_credentials_in_the_feed_url_are_sent_and_never_shown(self):
        secret_url = "http://alice:s3cret@127.0.0.1:%s/private/feeds/private.xml" % self.port
        with open(self.fx.feeds, "w") as f:
            f.write(secret_url + "\n")
        metrics_port = free_port()
        self.fx.write_config(metrics_address="127.0.0.1:%d" % metrics_port, log_level="debug")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == 3, what="3 records")
            metrics = scrape("http://127.0.0.1:%d/metrics" % metrics_port)
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=15)
        self.assertIn("feedspool_feed_last_success_timestamp_seconds{feed=\"http://127.0.0.1:%s"
                      "/private/feeds/private.xml\"}" % self.port, metrics)
        self.assert_no_secret(metrics, "metrics")
        self.assertIn("feed=http://127.0.0.1:%s/private/feeds/private.xml" % self.port, stderr)
        self.assert_no_secret(stderr, "log")
        for name, record in self.fx.records().items():
            self.assertEqual(record["feed"]["url"],
                             "http://127.0.0.1:%s/private/feeds/private.xml" % self.port)
            self.assertTrue(record["url"].startswith("http://127.0.0.1:%s/pages/" % self.port))
            with open(os.path.join(self.fx.spool, "new", name)) as f:
                self.assert_no_secret(f.read(), name)
        opml = subprocess.run([BIN, "export-opml", "-c", self.fx.config], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(opml.returncode, 0, opml.stderr)
        self.assertIn("http://127.0.0.1:%s/private/feeds/private.xml" % self.port, opml.stdout)
        self.assert_no_secret(opml.stdout + opml.stderr, "export-opml")

    def test_a_credentials_file_supplies_them(self):
        url = "%s/private/feeds/private.xml" % self.fx.base
        with open(self.fx.feeds, "w") as f:
            f.write(url + "\n")
        # without credentials: 401, nothing written
        result = self.fx.once()
        self.assertEqual(self.fx.records(), {}, result.stderr)
        self.assertIn("status=401", result.stderr)
        path = os.path.join(self.fx.dir, "credentials")
        with open(path, "w") as f:
            f.write("# feedspool credentials\n"
                    "%s/priv alice:wrong-prefix-boundary\n"
                    "%s/private/ alice:s3cret\n" % (self.fx.base, self.fx.base))
        self.fx.write_config(credentials=path)
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.fx.records()), 3, result.stderr)
        self.assert_no_secret(result.stderr, "log")
        check = subprocess.run([BIN, "check", "-c", self.fx.config], capture_output=True,
                               text=True, timeout=30)
        self.assertIn("credentials %s: 2 entries" % path, check.stdout, check.stderr)
        self.assert_no_secret(check.stdout + check.stderr, "check")

    def test_feed_list_errors_do_not_show_the_password(self):
        secret_url = "http://alice:s3cret@127.0.0.1:%s/private/feeds/private.xml" % self.port
        with open(self.fx.feeds, "w") as f:
            f.write(secret_url + "\n" + secret_url + "\n")
        for command in ("once", "check", "export-opml"):
            result = subprocess.run([BIN, command, "-c", self.fx.config], capture_output=True,
                                    text=True, timeout=30)
            self.assertNotEqual(result.returncode, 0, command)
            self.assertIn("is already listed on line 1", result.stderr, command)
            self.assert_no_secret(result.stderr + result.stdout, command)

    def test_systemd_credentials_directory_is_the_default(self):
        url = "%s/private/feeds/private.xml" % self.fx.base
        with open(self.fx.feeds, "w") as f:
            f.write(url + "\n")
        folder = os.path.join(self.fx.dir, "creds")
        write(os.path.join(folder, "feedspool-credentials"), "%s alice:s3cret\n" % url)
        env = dict(os.environ, CREDENTIALS_DIRECTORY=folder)
        result = subprocess.run([BIN, "once", "-c", self.fx.config], capture_output=True,
                                text=True, timeout=60, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.fx.records()), 3, result.stderr)

    def test_a_bad_credentials_file_stops_the_start_without_showing_it(self):
        path = os.path.join(self.fx.dir, "credentials")
        write(path, "not-a-url alice:s3cret\n")
        self.fx.write_config(credentials=path)
        self.fx.write_feeds("/feeds/frontier.atom")
        result = self.fx.once()
        self.assertNotEqual(result.returncode, 0)
        self.assertRegex(result.stderr, r"credentials: .*credentials:1: expected")
        self.assert_no_secret(result.stderr, "log")


if __name__ == "__main__":
    unittest.main(verbosity=2)
