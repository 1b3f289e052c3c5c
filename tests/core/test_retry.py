"""test_retry.py: failed items come back, and skipped items are said.

- Items refused by the address policy are tried again when the daemon starts with a changed
  configuration (the policy widened), and written.
- Items quarantined under one max_record_bytes are tried again after a SIGHUP that raises it.
- `feedspool retry --feed URL` while the daemon runs: the daemon, told through its control
  socket, takes the item up at once.
- Twenty items sharing one guid, and a feed of 10,003 items: each case logged once for its
  feed however often it is polled, and counted in /metrics."""
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402


def write_feed(fx, name, items):
    """An RSS feed of (guid, link path) items with no text of their own, so an item whose page
    cannot be used fails."""
    with open(os.path.join(fx.www, "feeds", name), "w") as f:
        f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>" % name)
        for guid, path in items:
            f.write("<item><title>%s</title><link>{{BASE}}%s</link><guid isPermaLink=\"false\">%s"
                    "</guid></item>" % (guid, path, guid))
        f.write("</channel></rss>")


def write_page(fx, name, paragraphs=5):
    """A page of made-up words of its own (no two pages are copies of one story)."""
    rng = random.Random(name)
    body = "".join("<p>%s.</p>" % " ".join("".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou")
                                                   for _ in range(3)) for _ in range(40))
                   for _ in range(paragraphs))
    with open(os.path.join(fx.www, "pages", name), "w") as f:
        f.write("<html><head><title>%s</title></head><body><article><h1>%s</h1>%s</article>"
                "</body></html>" % (name, name, body))



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FailedItemsComeBack(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_refused_items_are_retried_when_the_policy_is_widened(self):
        fx = self.fx
        write_page(fx, "retry-a.html")
        write_page(fx, "retry-b.html")
        write_feed(fx, "retry.xml", [("a", "/pages/retry-a.html"), ("b", "/pages/retry-b.html")])
        fx.write_feeds("/feeds/retry.xml")
        fx.write_config(allow_networks="")  # loopback article links are refused
        first = fx.once()
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(fx.state_counts(), {"failed": 2}, first.stderr)
        fx.write_config()  # allow_networks = 127.0.0.0/8 again
        second = fx.once()
        self.assertIn("configuration changed since the last run: failed items are tried again "
                      "count=2", second.stderr)
        self.assertEqual(fx.state_counts(), {"emitted": 2}, second.stderr)
        self.assertEqual(len(fx.records()), 2)
        # The same configuration once more: nothing to retry, nothing said.
        third = fx.once()
        self.assertNotIn("tried again", third.stderr)

    def test_quarantined_items_are_retried_after_a_reload_that_changes_the_cap(self):
        fx = self.fx
        write_page(fx, "retry-big.html", paragraphs=30)
        write_feed(fx, "big.xml", [("big", "/pages/retry-big.html")])
        fx.write_feeds("/feeds/big.xml")
        fx.write_config(max_record_bytes="4096")
        daemon = fx.start_daemon()
        try:
            fx.wait_for(lambda: os.path.exists(fx.state) and fx.state_counts() == {"failed": 1},
                        what="the item quarantined")
            fx.write_config(max_record_bytes="8M")
            daemon.send_signal(signal.SIGHUP)
            fx.wait_for(lambda: len(fx.records()) == 1, what="the record written after SIGHUP")
            self.assertEqual(fx.state_counts(), {"emitted": 1})
        finally:
            daemon.send_signal(signal.SIGTERM)
            err = daemon.communicate(timeout=15)[1]
        self.assertIn("configuration changed on reload: failed items are tried again count=1", err)

    def test_retry_command_while_the_daemon_runs(self):
        fx = self.fx
        write_feed(fx, "late.xml", [("late", "/pages/retry-late.html")])  # a 404 for now
        fx.write_feeds("/feeds/late.xml")
        fx.write_config()  # (upkeep every 10 s: the control socket is what makes it at once)
        daemon = fx.start_daemon()
        try:
            fx.wait_for(lambda: os.path.exists(fx.state) and fx.state_counts() == {"failed": 1},
                        what="the item failed")
            write_page(fx, "retry-late.html")
            cmd = subprocess.run([BIN, "retry", "--feed", fx.url("/feeds/late.xml"), "-c",
                                  fx.config], capture_output=True, text=True, timeout=30)
            self.assertEqual(cmd.returncode, 0, cmd.stderr)
            self.assertEqual(cmd.stdout, "1 failed item made pending again; the running daemon "
                             "takes them up now\n")
            fx.wait_for(lambda: len(fx.records()) == 1, what="the retried item written")
            self.assertEqual(fx.state_counts(), {"emitted": 1})
            again = subprocess.run([BIN, "retry", "--item", "nothing-like-it", "-c", fx.config],
                                   capture_output=True, text=True, timeout=30)
            self.assertEqual((again.returncode, again.stdout), (1, "0 failed items made pending again\n"))
        finally:
            daemon.send_signal(signal.SIGTERM)
            err = daemon.communicate(timeout=15)[1]
        self.assertIn("failed items taken up again count=1", err)
        usage = subprocess.run([BIN, "retry", "-c", fx.config], capture_output=True, text=True)
        self.assertEqual(usage.returncode, 2)


class SkippedItemsAreSaid(unittest.TestCase):
    def test_shared_ids_and_items_past_the_cap_are_logged_once_and_counted(self):
        fx = Fixture()
        try:
            write_feed(fx, "shared.xml", [("same", "/pages/s-%d.html" % i) for i in range(20)]
                       + [("other-%d" % i, "/pages/o-%d.html" % i) for i in range(3)])
            write_feed(fx, "huge.xml", [("h-%d" % i, "/pages/h-%d.html" % i) for i in range(10003)])
            fx.write_feeds("/feeds/shared.xml", "/feeds/huge.xml")
            port = free_port()
            fx.write_config(fetch_pages="no", poll_interval="1s",
                            metrics_address="127.0.0.1:%d" % port)
            daemon = fx.start_daemon()
            try:
                fx.wait_for(lambda: len([r for r in fx.requests() if "/feeds/shared.xml" in r]) >= 3,
                            what="three polls", timeout=60)
                text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                              timeout=10).read().decode()
            finally:
                daemon.send_signal(signal.SIGTERM)
                err = daemon.communicate(timeout=30)[1]
            shared = int(re.search(r'feedspool_items_skipped_total\{reason="shared_id"\} (\d+)',
                                   text).group(1))
            over = int(re.search(r'feedspool_items_skipped_total\{reason="over_cap"\} (\d+)',
                                 text).group(1))
            self.assertGreaterEqual(shared, 19)
            self.assertEqual(shared % 19, 0)
            self.assertGreaterEqual(over, 3)
            self.assertEqual(over % 3, 0)
            said = [l for l in err.splitlines() if "share an identity" in l]
            self.assertEqual(len(said), 1, err[-2000:])
            self.assertIn("feed=%s" % fx.url("/feeds/shared.xml"), said[0])
            self.assertIn("skipped=19", said[0])
            capped = [l for l in err.splitlines() if "more than 10000 items" in l]
            self.assertEqual(len(capped), 1)
            self.assertIn("skipped=3", capped[0])
            db = sqlite3.connect(fx.state)
            per_feed = dict(db.execute("SELECT feed_url, count(*) FROM items GROUP BY feed_url"))
            db.close()
            self.assertEqual(per_feed, {fx.url("/feeds/shared.xml"): 4,
                                        fx.url("/feeds/huge.xml"): 10000})
        finally:
            fx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
