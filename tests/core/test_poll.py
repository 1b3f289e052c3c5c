"""test_poll.py: `feedspool poll URL`, with and without a running daemon.

- A daemon runs with feeds polled every 6 h: `poll URL` has it poll that feed at once (the
  fixture server sees the request within seconds), says "polled status=200 new_items=1", and
  the new article is written; the other feed is not polled again. A feed that answers 404:
  "failed", exit 4. The daemon's control socket is mode 0600 and gone after it stops. A
  daemon stopped while the requested poll hangs: the command says so and fails.
- No daemon: `poll URL` polls that one feed and writes its new articles before it exits
  (exit 0), leaving the other feed and the items other feeds left pending alone; a failing
  feed exits 4 as `once` does.
- A URL not in the feed list: exit 2 with "did you mean" the nearest listed URL."""
import os
import signal
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
from test_retry import write_feed, write_page  # noqa: E402


def feed_requests(fx, name):
    return [r for r in fx.requests() if r.startswith("GET /feeds/%s " % name)]


class PollOneFeed(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        write_page(self.fx, "poll-1.html")
        write_page(self.fx, "poll-2.html")
        write_page(self.fx, "other-1.html")
        write_feed(self.fx, "poll.xml", [("p1", "/pages/poll-1.html")])
        write_feed(self.fx, "other.xml", [("o1", "/pages/other-1.html")])
        self.fx.write_feeds("/feeds/poll.xml", "/feeds/other.xml")
        self.fx.write_config(poll_interval="6h")

    def tearDown(self):
        self.fx.close()

    def poll(self, url, timeout=120):
        return subprocess.run([BIN, "poll", url, "-c", self.fx.config], capture_output=True,
                              text=True, timeout=timeout)

    def test_through_a_running_daemon(self):
        fx = self.fx
        daemon = fx.start_daemon()
        try:
            fx.wait_for(lambda: len(fx.records()) == 2, timeout=60, what="the first two records")
            socket_path = fx.state + ".sock"
            self.assertTrue(stat.S_ISSOCK(os.stat(socket_path).st_mode))
            self.assertEqual(stat.S_IMODE(os.stat(socket_path).st_mode), 0o600)
            write_feed(fx, "poll.xml", [("p1", "/pages/poll-1.html"), ("p2", "/pages/poll-2.html")])
            before = len(feed_requests(fx, "poll.xml"))
            started = time.monotonic()
            result = self.poll(fx.url("/feeds/poll.xml"))
            took = time.monotonic() - started
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "polled %s: status=200 new_items=1 (the daemon fetches "
                             "their articles)\n" % fx.url("/feeds/poll.xml"))
            self.assertIn("the running daemon polls", result.stderr)
            self.assertEqual(len(feed_requests(fx, "poll.xml")), before + 1)
            self.assertLess(took, 30)  # the interval is 6 h
            fx.wait_for(lambda: len(fx.records()) == 3, what="the new article written")
            self.assertEqual(len(feed_requests(fx, "other.xml")), 1)

            # A feed that fails: its failure, exit 4.
            with open(fx.feeds, "a") as f:
                f.write(fx.url("/feeds/missing.xml") + "\n")
            daemon.send_signal(signal.SIGHUP)
            fx.wait_for(lambda: len(feed_requests(fx, "missing.xml")) == 1,
                        what="the added feed polled after SIGHUP")
            failed = self.poll(fx.url("/feeds/missing.xml"))
            self.assertEqual(failed.returncode, 4, failed.stderr)
            self.assertEqual(failed.stdout, "poll of %s failed: status=404 reason=HTTP 404\n"
                             % fx.url("/feeds/missing.xml"))
            self.assertEqual(len(feed_requests(fx, "missing.xml")), 2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            err = daemon.communicate(timeout=30)[1]
        self.assertEqual(daemon.returncode, 0, err)
        self.assertIn("feed poll requested feed=%s" % fx.url("/feeds/poll.xml"), err)
        self.assertFalse(os.path.exists(fx.state + ".sock"))

    def test_the_daemon_stops_while_the_poll_hangs(self):
        fx = self.fx
        with open(fx.feeds, "a") as f:
            f.write(fx.url("/hang/feed.xml") + "\n")
        fx.write_config(poll_interval="6h", stop_timeout="1s", transfer_timeout="60s",
                        low_speed_time="60s")
        daemon = fx.start_daemon()
        try:
            fx.wait_for(lambda: len(fx.records()) == 2, timeout=60, what="the first two records")
            client = subprocess.Popen([BIN, "poll", fx.url("/hang/feed.xml"), "-c", fx.config],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # (the first poll hangs still: the request waits for it, a poll in flight)
            accepted = client.stderr.readline()
            self.assertIn("the running daemon polls %s now" % fx.url("/hang/feed.xml"), accepted)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=30)
        out, err = client.communicate(timeout=30)
        self.assertNotEqual(client.returncode, 0)
        self.assertTrue("abandoned: the daemon is stopping" in out or
                        "closed the connection before the poll ended" in err, out + err)

    def test_on_its_own(self):
        fx = self.fx
        # An item of the other feed left pending by an earlier run stays for a later one.
        first = fx.once("--set", "fetch_pages=no")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(fx.state_counts(), {"pending": 2})
        write_feed(fx, "poll.xml", [("p1", "/pages/poll-1.html"), ("p2", "/pages/poll-2.html")])
        result = self.poll(fx.url("/feeds/poll.xml"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "polled %s: HTTP 200, 1 new item, 2 records written, "
                         "0 items failed\n" % fx.url("/feeds/poll.xml"))
        self.assertEqual(sorted(r["title"] for r in fx.records().values()),
                         ["p1", "p2"])
        self.assertEqual(fx.state_counts(), {"emitted": 2, "pending": 1})
        self.assertEqual(len(feed_requests(fx, "other.xml")), 1)  # the once only
        self.assertFalse(os.path.exists(fx.state + ".sock"))
        # A failing feed: exit 4, as once.
        with open(fx.feeds, "a") as f:
            f.write(fx.url("/feeds/missing.xml") + "\n")
        failed = self.poll(fx.url("/feeds/missing.xml"))
        self.assertEqual(failed.returncode, 4, failed.stderr)
        self.assertIn("failed: HTTP 404", failed.stderr)

    def test_unknown_url(self):
        fx = self.fx
        result = self.poll(fx.url("/feeds/pol.xml"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "feedspool poll: %s is not in the feed list %s (did you "
                         "mean %s?)\n" % (fx.url("/feeds/pol.xml"), fx.feeds,
                                          fx.url("/feeds/poll.xml")))
        far = self.poll("https://elsewhere.example/rss")
        self.assertEqual(far.returncode, 2)
        self.assertNotIn("did you mean", far.stderr)
        self.assertEqual(fx.requests(), [])
        usage = subprocess.run([BIN, "poll"], capture_output=True, text=True)
        self.assertEqual(usage.returncode, 2)


if __name__ == "__main__":
    unittest.main()
