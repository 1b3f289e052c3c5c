"""test_etiquette.py: polling like a good citizen, against the fixture server.

Permanent redirects (301, 308) are remembered as the feed's new URL, temporary ones
(302, 307) are not; 410 stops polling; Retry-After on a 503 delays that feed only; a feed's
ttl and max-age stretch its interval within bounds; requests to one host are spaced by
host_min_gap and at most max_per_host run at once; the proxy from the environment is used;
one article in two feeds is fetched and written once."""
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402


def feed_row(fx, url):
    db = sqlite3.connect(fx.state)
    try:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
    finally:
        db.close()


class Etiquette(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def requests_for(self, fragment):
        return [r for r in self.fx.requests() if fragment in r.split()[1]]

    def test_permanent_redirects_are_remembered_temporary_ones_not(self):
        for code in (301, 308):
            fx = self.fx
            listed = "/redirect/%d/feeds/frontier.atom" % code
            fx.write_feeds(listed)
            first = fx.once()
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertIn("feed moved permanently feed=%s new_url=%s" % (
                fx.url(listed), fx.url("/feeds/frontier.atom")), first.stderr)
            self.assertEqual(feed_row(fx, fx.url(listed))["moved_to"], fx.url("/feeds/frontier.atom"))
            before = len(self.requests_for(listed))
            self.assertEqual(fx.once().returncode, 0)
            self.assertEqual(len(self.requests_for(listed)), before, "the old URL is not asked again")
        for code in (302, 307):
            listed = "/redirect/%d/feeds/south-asia.xml" % code
            self.fx.write_feeds(listed)
            self.assertEqual(self.fx.once().returncode, 0)
            self.assertEqual(self.fx.once().returncode, 0)
            self.assertEqual(len(self.requests_for(listed)), 2, "a temporary redirect is followed each time")
            self.assertIsNone(feed_row(self.fx, self.fx.url(listed))["moved_to"])
        self.assertEqual(len(self.fx.records()), 7)

    def test_410_stops_polling(self):
        self.fx.write_feeds("/status/410/feed.xml", "/feeds/frontier.atom")
        first = self.fx.once()
        self.assertIn("feed is gone (HTTP 410), polling stops feed=%s" % self.fx.url("/status/410/feed.xml"),
                      first.stderr)
        second = self.fx.once()
        self.assertIn("feed not polled: it answered 410 Gone earlier", second.stderr)
        self.assertEqual(len(self.requests_for("/status/410/")), 1)
        self.assertEqual(len(self.requests_for("/feeds/frontier.atom")), 2)

    def test_ttl_and_max_age_stretch_the_interval_within_bounds(self):
        self.fx.write_config(poll_interval="1m", max_poll_interval="3h")
        with open(os.path.join(self.fx.www, "feeds", "ttl.xml"), "w") as f:
            f.write("<rss version='2.0'><channel><title>t</title><ttl>120</ttl>"
                    "<item><title>x</title><link>{{BASE}}/pages/seed-003.html</link></item></channel></rss>")
        with open(os.path.join(self.fx.www, "feeds", "sy.xml"), "w") as f:
            f.write("<rss version='2.0' xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'>"
                    "<channel><title>s</title><sy:updatePeriod>daily</sy:updatePeriod>"
                    "<sy:updateFrequency>4</sy:updateFrequency></channel></rss>")
        self.fx.write_feeds("/feeds/ttl.xml", "/feeds/sy.xml", "/feeds/frontier.atom?max-age=5400",
                            "/feeds/south-asia.xml?max-age=86400")
        started = int(time.time())
        self.assertEqual(self.fx.once().returncode, 0)
        due = {path: feed_row(self.fx, self.fx.url(path))["next_due"] - started
               for path in ("/feeds/ttl.xml", "/feeds/sy.xml", "/feeds/frontier.atom?max-age=5400",
                            "/feeds/south-asia.xml?max-age=86400")}
        self.assertAlmostEqual(due["/feeds/ttl.xml"], 7200, delta=5)       # <ttl>120</ttl>
        self.assertAlmostEqual(due["/feeds/sy.xml"], 3 * 3600, delta=5)  # 6 h, capped at 3 h
        self.assertAlmostEqual(due["/feeds/frontier.atom?max-age=5400"], 5400, delta=5)
        self.assertAlmostEqual(due["/feeds/south-asia.xml?max-age=86400"], 3 * 3600, delta=5)

    def test_retry_after_delays_that_feed_only(self):
        self.fx.write_config(poll_interval="1m", max_backoff="1m")
        self.fx.write_feeds("/retry-after/7200/feed.xml", "/feeds/frontier.atom")
        started = int(time.time())
        self.assertEqual(self.fx.once().returncode, 3)  # one of the two feeds failed
        busy = feed_row(self.fx, self.fx.url("/retry-after/7200/feed.xml"))
        fine = feed_row(self.fx, self.fx.url("/feeds/frontier.atom"))
        self.assertGreaterEqual(busy["next_due"], started + 7200, "Retry-After beats the backoff cap")
        self.assertLess(fine["next_due"], started + 7200, "other feeds of the host keep their schedule")
        self.assertEqual(busy["last_status"], 503)

    def test_at_most_max_per_host_transfers_at_once(self):
        self.fx.write_config(max_per_host="2", host_min_gap="0ms", transfer_timeout="10s")
        paths = ["/slow/400/feed-%d.xml" % i for i in range(6)]
        self.fx.write_feeds(*paths)
        self.assertEqual(self.fx.once().returncode, 0)
        times = sorted(int(re.search(r"ms=(\d+)", r).group(1)) for r in self.fx.requests()
                       if "/slow/" in r)
        self.assertEqual(len(times), 6)
        # Each answer takes 400 ms: a third request may start only when one of two has ended.
        for a, c in zip(times, times[2:]):
            self.assertGreaterEqual(c - a, 380, times)

    def test_proxy_from_the_environment_is_used(self):
        self.fx.write_config()
        with open(self.fx.feeds, "w") as f:
            f.write("http://feeds.example.invalid/feeds/frontier.atom\n")
        env = dict(os.environ, http_proxy=self.fx.base, no_proxy="")
        result = subprocess.run([BIN, "once", "-c", self.fx.config], capture_output=True, text=True,
                                timeout=60, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        asked = [r.split()[1] for r in self.fx.requests()]
        self.assertIn("http://feeds.example.invalid/feeds/frontier.atom", asked)
        self.assertGreater(len(self.fx.records()), 0, "the feed came through the proxy")

    def test_one_item_in_two_feeds_is_written_once(self):
        with open(os.path.join(self.fx.www, "feeds", "again.xml"), "w") as f:
            f.write("<rss version='2.0'><channel><title>again</title><item><title>Same story</title>"
                    "<link>{{BASE}}/pages/seed-003.html?utm_source=twitter&amp;fbclid=abc</link>"
                    "<guid isPermaLink='false'>other-guid-1</guid></item></channel></rss>")
        self.fx.write_feeds("/feeds/frontier.atom", "/feeds/again.xml")
        self.assertEqual(self.fx.once().returncode, 0)
        pages = [r for r in self.fx.requests() if "/pages/seed-003.html" in r]
        self.assertEqual(len(pages), 1, pages)
        urls = [r["url"] for r in self.fx.records().values()]
        self.assertEqual(sum("seed-003" in u for u in urls), 1, urls)

    def test_requests_to_one_host_are_spaced(self):
        self.fx.write_config(host_min_gap="300ms", max_per_host="2")
        self.fx.write_feeds("/feeds/frontier.atom")
        self.assertEqual(self.fx.once().returncode, 0)
        requests = self.fx.requests()
        times = [int(re.search(r"ms=(\d+)", r).group(1)) for r in requests]
        # the feed, the site's robots.txt (paced like any request) and the three pages
        self.assertEqual(len(times), 5)
        self.assertEqual(requests[1].split()[1], "/robots.txt")
        gaps = [b - a for a, b in zip(times, times[1:])]
        # (measured where the server sees them: connection set-up varies by some milliseconds)
        self.assertTrue(all(g >= 270 for g in gaps), gaps)


if __name__ == "__main__":
    unittest.main(verbosity=2)
