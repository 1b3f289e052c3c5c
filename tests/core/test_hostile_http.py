"""test_hostile_http.py: servers that misbehave on purpose, against the fixture server.

A gzip bomb, an endless chunked body, a server that trickles a byte a second, a redirect
loop, redirects to file://, ftp:// and gopher://, and a 1 MiB response header: each must
be cut off by a limit, logged with the feed's URL, counted as a failure in the state (so
the feed backs off exponentially), and must not disturb the other feeds of the run."""
import os
import sqlite3
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture  # noqa: E402

# path -> words the feed's last_error must contain (the limit that stopped it)
HOSTILE = {
    "/gzip-bomb/feed.xml": "body larger than",
    "/endless/feed.xml": "body larger than",
    "/trickle/feed.xml": "too slow",
    "/loop/feed.xml": "redirects",
    "/to-scheme/file/feed.xml": "protocol",
    "/to-scheme/ftp/feed.xml": "protocol",
    "/to-scheme/gopher/feed.xml": "protocol",
    "/big-header/feed.xml": "header",
}


def feed_rows(fx):
    db = sqlite3.connect(fx.state)
    try:
        db.row_factory = sqlite3.Row
        return {r["url"]: dict(r) for r in db.execute("SELECT * FROM feeds")}
    finally:
        db.close()


class HostileServers(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_config(max_body="1M", low_speed_limit="16", low_speed_time="3s",
                             transfer_timeout="60s", max_redirects="5", poll_interval="10m",
                             max_backoff="6h", host_min_gap="0", max_per_host="16",
                             max_transfers="32")
        self.fx.write_feeds(*HOSTILE, "/feeds/frontier.atom")
        # The server makes its 1 GiB bomb (a few seconds) on the first request: not during the run.
        with urllib.request.urlopen(self.fx.url("/gzip-bomb/warm-up"), timeout=60) as r:
            self.assertEqual(r.headers["Content-Encoding"], "gzip")
            self.assertLess(len(r.read()), 2 << 20)

    def tearDown(self):
        self.fx.close()

    def test_each_is_cut_off_logged_and_backed_off(self):
        started = time.time()
        first = self.fx.once(timeout=90)
        took = time.time() - started
        self.assertEqual(first.returncode, 3, first.stderr)  # some feeds failed
        self.assertLess(took, 45, "every hostile transfer was cut well before the 60 s timeout")
        rows = feed_rows(self.fx)
        for path, words in HOSTILE.items():
            url = self.fx.url(path)
            row = rows[url]
            self.assertEqual(row["errors"], 1, (path, row))
            self.assertIn(words, (row["last_error"] or "").lower(), (path, row["last_error"]))
            self.assertGreaterEqual(row["next_due"], started + 0.85 * 600, path)
            self.assertIn("feed=%s" % url, first.stderr, path)
        good = rows[self.fx.url("/feeds/frontier.atom")]
        self.assertEqual(good["errors"], 0)
        self.assertGreater(len(self.fx.records()), 0, "the well-behaved feed was ingested")

        # The next failure doubles the wait (exponential backoff, with jitter of +-10 %).
        second_start = time.time()
        second = self.fx.once(timeout=90)
        self.assertEqual(second.returncode, 3, second.stderr)
        rows = feed_rows(self.fx)
        for path in HOSTILE:
            row = rows[self.fx.url(path)]
            self.assertEqual(row["errors"], 2, path)
            self.assertGreaterEqual(row["next_due"], second_start + 0.85 * 1200, path)
        # No request was repeated inside one run: each hostile URL was asked once per run
        # (the loop: once plus max_redirects hops).
        for path in HOSTILE:
            asked = [r for r in self.fx.requests() if r.split()[1] == path]  # (not the warm-up)
            self.assertEqual(len(asked), 2 * (6 if path.startswith("/loop") else 1), path)


if __name__ == "__main__":
    unittest.main()
