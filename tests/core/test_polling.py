"""test_polling.py: polling many feeds, as bench/poll does, against the fixture server.

fetch_pages = no polls the feeds and keeps their new items pending without asking for a
page; a later run with the default fetches them. Poll outcomes share commits: an all-304
cycle of many feeds costs a handful of fsyncs, not one per feed, and every outcome is in
the state when `once` exits. Transfers beyond max_transfers wait in feedspool, not in
libcurl, so their timeouts do not run while they wait, nor do they hold a libcurl handle;
and a host's gap counts from when its last request was sent, not from when it was queued."""
import os
import random
import re
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402

FEEDS = 80
QUEUED = 4000
WORDS = ("market river council school winter harvest bridge station minister report court "
         "village doctor budget festival railway election storm museum factory harbour "
         "teacher garden library ferry clinic orchard stadium bakery tunnel").split()


def feed_rows(fx):
    db = sqlite3.connect(fx.state)
    try:
        return {row[0]: row[1:] for row in
                db.execute("SELECT url, last_status, etag, next_due FROM feeds")}
    finally:
        db.close()


class Polling(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.paths = []
        words = random.Random(5).choices(WORDS, k=FEEDS * 240)
        for i in range(FEEDS):
            path = "/feeds/many-%d.xml" % i
            with open(os.path.join(self.fx.www, path.lstrip("/")), "w") as f:
                f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title>'
                        '<item><title>Story %d</title><link>{{BASE}}/pages/many-%d.html</link>'
                        '<guid>many-%d</guid><description>Text of story %d.</description></item>'
                        '</channel></rss>\n' % (i, i, i, i, i))
            paragraphs = "".join("<p>%s.</p>" % " ".join(words[i * 240 + k * 40:i * 240 + k * 40 + 40])
                                 for k in range(6))
            with open(os.path.join(self.fx.www, "pages", "many-%d.html" % i), "w") as f:
                f.write("<html><head><title>Story %d</title></head><body><article>%s</article>"
                        "</body></html>\n" % (i, paragraphs))
            self.paths.append(path)
        self.fx.write_feeds(*self.paths)

    def tearDown(self):
        self.fx.close()

    def page_requests(self):
        return [r for r in self.fx.requests() if r.split()[1].startswith("/pages/")]

    def syncs_of_once(self, *args):
        """Runs `once` under strace; returns (result, number of fsync and fdatasync calls)."""
        trace = os.path.join(self.fx.dir, "strace.out")
        # (LeakSanitizer cannot run under ptrace; the other tests check for leaks)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        result = subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=fsync,fdatasync",
                                 BIN, "once", "-c", self.fx.config, *args],
                                capture_output=True, text=True, timeout=120, env=env)
        with open(trace) as f:
            syncs = sum(1 for line in f if re.search(r"\b(fsync|fdatasync)\(", line))
        return result, syncs

    def test_fetch_pages_no_keeps_items_pending_without_fetching_pages(self):
        fx = self.fx
        first = fx.once("--set", "fetch_pages=no")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("new_items=%d written=0" % FEEDS, first.stderr)
        self.assertEqual(self.page_requests(), [])
        self.assertEqual(fx.records(), {})
        states = fx.item_states()
        self.assertEqual(len(states), FEEDS)
        self.assertEqual(set(states.values()), {"pending"})
        self.assertEqual({row[0] for row in feed_rows(fx).values()}, {200})
        again = fx.once("--set", "fetch_pages=no")  # earlier pending items are left alone too
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.page_requests(), [])
        done = fx.once()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(self.page_requests()), FEEDS)
        self.assertEqual(set(fx.item_states().values()), {"emitted"})
        self.assertEqual(len(fx.records()), FEEDS)

    def test_poll_outcomes_share_commits_and_all_are_stored(self):
        fx = self.fx
        first, first_syncs = self.syncs_of_once("--set", "fetch_pages=no")
        self.assertEqual(first.returncode, 0, first.stderr)
        rows = feed_rows(fx)
        self.assertEqual(len(rows), FEEDS)
        self.assertTrue(all(row[0] == 200 and row[1] for row in rows.values()), rows)
        # Each feed's items and validators in one unit, but not one commit per feed (that
        # made over two fsyncs a feed; batches make a few, more under strace on a busy machine).
        self.assertLess(first_syncs, FEEDS // 2, "fsyncs for %d new feeds" % FEEDS)
        second, second_syncs = self.syncs_of_once("--set", "fetch_pages=no")
        self.assertEqual(second.returncode, 0, second.stderr)
        feed_requests = [r for r in fx.requests() if r.split()[1].startswith("/feeds/many-")]
        self.assertEqual(len(feed_requests), 2 * FEEDS)
        self.assertTrue(all("inm=-" not in r for r in feed_requests[FEEDS:]), "validators sent")
        rows_after = feed_rows(fx)
        self.assertEqual({row[0] for row in rows_after.values()}, {304},
                         "every outcome committed before exit")
        self.assertLess(second_syncs, FEEDS // 2, "fsyncs for %d 304s" % FEEDS)


class Slots(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def write_feed_urls(self, *urls):
        with open(self.fx.feeds, "w") as f:
            f.write("".join(u + "\n" for u in urls))

    def request_ms(self, fragment):
        return [int(re.search(r"ms=(\d+)", r).group(1)) for r in self.fx.requests()
                if fragment in r.split()[1]]

    def test_waiting_for_a_slot_does_not_use_up_the_timeout(self):
        self.fx.write_config(max_transfers="1", transfer_timeout="1s", low_speed_time="1s")
        self.fx.write_feeds(*["/slow/600/feed-%d.xml" % i for i in range(3)])
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("polls_ok=3 polls_failed=0", result.stderr)
        times = sorted(self.request_ms("/slow/"))
        self.assertEqual(len(times), 3)
        self.assertGreaterEqual(times[2] - times[0], 1100, "one at a time: the last waited")

    def test_the_gap_counts_from_the_request_sent(self):
        # One slot, taken first by a slow feed on 127.0.0.1: the two feeds of 127.0.0.2 wait
        # for it, and the second of them must still come host_min_gap after the first.
        self.fx.write_config(max_transfers="1", host_min_gap="500ms", transfer_timeout="5s")
        other = self.fx.base.replace("127.0.0.1", "127.0.0.2")
        self.write_feed_urls(self.fx.url("/slow/800/first.xml"), other + "/slow/10/a.xml",
                             other + "/slow/10/b.xml")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        (slow,), (a,), (b,) = (self.request_ms(x) for x in ("first.xml", "a.xml", "b.xml"))
        self.assertGreaterEqual(a - slow, 750, "a waited for the slot")
        self.assertGreaterEqual(abs(b - a), 470, (slow, a, b))

    @unittest.skipIf(os.environ.get("FEEDSPOOL_SANITIZE") == "1",
                     "under the sanitizers, memory is theirs to spend")
    def test_queued_transfers_hold_no_libcurl_handle(self):
        # Every poll of a `once` is queued at the start; with max_transfers = 4, only 4 of
        # them may hold a libcurl handle (several KB each) at a time.
        with open(os.path.join(self.fx.www, "feeds", "tiny.xml"), "w") as f:
            f.write('<rss version="2.0"><channel><title>tiny</title></channel></rss>\n')
        self.write_feed_urls(*[self.fx.url("/feeds/tiny.xml?n=%d" % i) for i in range(QUEUED)])
        self.fx.write_config(max_transfers="4", log_level="warning")
        child = subprocess.Popen([BIN, "once", "-c", self.fx.config], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        self.assertEqual(status, 0)
        self.assertEqual(len(self.request_ms("/feeds/tiny.xml")), QUEUED)
        # (about 44 MB when each queued poll held its handle)
        self.assertLess(usage.ru_maxrss / 1024, 32, "peak RSS in MB with %d polls queued" % QUEUED)


if __name__ == "__main__":
    unittest.main(verbosity=2)
