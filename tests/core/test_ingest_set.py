"""test_ingest_set.py: bench/ingest's set-up, small, for correctness (never timed).

Feeds on many loopback host names (fNN.localhost) list items whose links are distinct article
pages on many more (aNN.localhost); `once` runs with fsync as in production, a host gap and
few transfers, so that fetches wait for their hosts' turns and the pending items are more than
one window of jobs (ingest/article.c reads them from the state a window at a time). Every
item must come out exactly once: one record each, each page fetched once, nothing left
pending, nothing in tmp/. The same holds when a first run only polls (fetch_pages = no) and
a second run takes every pending item from the state, and with three extraction threads when
a first run is stopped (SIGTERM) and a second killed (SIGKILL) in the middle: the third run
finishes, every record written once.

And memory does not grow with the pending items: a daemon resuming 3,000 of them, each with
16 KB of feed text, holds a window of jobs, not all of them (it held them all: 90 MB).
"""
import collections
import os
import random
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402

FEEDS, FEED_HOSTS, ITEMS_PER_FEED, PAGE_HOSTS = 30, 15, 10, 60  # 300 items: several windows
WORDS = ("river market council harbour winter budget village railway school doctor garden "
         "bridge festival museum factory election weather farmer island museum province "
         "library engineer theatre hospital airport treaty minister orchestra vineyard "
         "lighthouse glacier volcano canal quarry monastery satellite reservoir archive "
         "cathedral parliament tribunal observatory brewery pipeline courthouse").split()


def page_text(n):
    """Three paragraphs of words drawn for page n alone: no two pages share their shingles."""
    rng = random.Random(n)
    paragraphs = []
    for _ in range(3):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + ", said "
                     "resident %d of place %d." % (rng.randrange(10**6), n) for _ in range(4)]
        paragraphs.append("<p>%s</p>" % " ".join(sentences))
    return ("<html><head><title>Story %d</title></head><body><nav><a href=\"/\">Home</a></nav>"
            "<article><h1>Story %d</h1>%s</article></body></html>" % (n, n, "".join(paragraphs)))


def build_site(fx):
    port = fx.base.rsplit(":", 1)[1]
    os.makedirs(os.path.join(fx.www, "set", "pages"), exist_ok=True)
    feed_urls = []
    for i in range(FEEDS):
        items = []
        for j in range(ITEMS_PER_FEED):
            n = i * ITEMS_PER_FEED + j
            with open(os.path.join(fx.www, "set", "pages", "%d.html" % n), "w") as f:
                f.write(page_text(n))
            link = "http://a%02d.localhost:%s/set/pages/%d.html" % (n % PAGE_HOSTS, port, n)
            items.append("<item><title>Story %d</title><link>%s</link><guid>%s</guid>"
                         "<description>Story %d.</description></item>" % (n, link, link, n))
        with open(os.path.join(fx.www, "set", "%d.xml" % i), "w") as f:
            f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed %d</title>"
                    "%s</channel></rss>" % (i, "".join(items)))
        feed_urls.append("http://f%02d.localhost:%s/set/%d.xml" % (i % FEED_HOSTS, port, i))
    with open(fx.feeds, "w") as f:
        f.write("\n".join(feed_urls) + "\n")
    return FEEDS * ITEMS_PER_FEED


class IngestSet(unittest.TestCase):
    def check_every_item_once(self, fx, total, err):
        records = fx.records()
        self.assertEqual(len(records), total, err[-3000:])
        self.assertEqual(sorted(r["title"] for r in records.values()),
                         sorted("Story %d" % n for n in range(total)))
        self.assertEqual({r["text_source"] for r in records.values()}, {"page"})
        self.assertFalse(os.path.exists(os.path.join(fx.spool, "sources.jsonl")),
                         "no page is a copy of another")
        self.assertEqual(fx.state_counts(), {"emitted": total})
        self.assertEqual(fx.tmp_files(), [])
        pages = collections.Counter(re.match(r"GET (\S+)", line).group(1)
                                    for line in fx.requests() if "/set/pages/" in line)
        self.assertEqual(len(pages), total)
        self.assertEqual(set(pages.values()), {1}, "a page was fetched twice")

    def test_every_item_written_once(self):
        fx = Fixture()
        try:
            total = build_site(fx)
            fx.write_config(host_min_gap="20ms", max_transfers="4", log_level="notice")
            result = fx.once(timeout=600)
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            self.check_every_item_once(fx, total, result.stderr)
        finally:
            fx.close()

    def test_pending_items_taken_from_the_state(self):
        fx = Fixture()
        try:
            total = build_site(fx)
            fx.write_config(fetch_pages="no", log_level="notice")
            result = fx.once(timeout=600)
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            self.assertEqual(fx.state_counts(), {"pending": total})
            fx.write_config(host_min_gap="20ms", max_transfers="4", log_level="notice")
            result = fx.once(timeout=600)
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            self.assertIn("resuming pending items count=%d" % total, result.stderr)
            self.check_every_item_once(fx, total, result.stderr)
        finally:
            fx.close()

    def test_extraction_threads_stopped_and_killed(self):
        fx = Fixture()
        try:
            total = build_site(fx)
            fx.write_config(host_min_gap="20ms", max_transfers="8", extract_threads="3",
                            log_level="info")
            new = os.path.join(fx.spool, "new")

            def written():
                return len(os.listdir(new)) if os.path.isdir(new) else 0
            for sig in (signal.SIGTERM, signal.SIGKILL):
                before = written()
                log_path = os.path.join(fx.dir, "once-%d.log" % sig)
                with open(log_path, "w") as log:
                    proc = subprocess.Popen([BIN, "once", "-c", fx.config],
                                            stdout=subprocess.DEVNULL, stderr=log)
                    try:
                        fx.wait_for(lambda: written() >= before + 20, timeout=300,
                                    what="20 more records")
                    finally:
                        proc.send_signal(sig)
                        proc.wait(timeout=120)
                with open(log_path) as f:
                    err = f.read()
                self.assertIn("extraction threads started threads=3", err)
                if sig == signal.SIGTERM:
                    self.assertEqual(proc.returncode, 0, err[-3000:])
                else:
                    self.assertEqual(proc.returncode, -signal.SIGKILL, err[-3000:])
                self.assertIn("pending", fx.state_counts(), "stopped before the end")
            result = fx.once(timeout=600)
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            records = fx.records()
            self.assertEqual(sorted(r["title"] for r in records.values()),
                             sorted("Story %d" % n for n in range(total)))
            self.assertEqual({r["text_source"] for r in records.values()}, {"page"})
            self.assertEqual(fx.state_counts(), {"emitted": total})
            self.assertEqual(fx.tmp_files(), [])
        finally:
            fx.close()

    def start_waiting_daemon(self, fx, feeds, items_per_feed, description):
        """A backlog of feeds x items_per_feed items with the given description, their links
        on one host: a first run only polls them (fetch_pages = no); then a daemon polls
        nothing and takes up the pending items with a long gap for the host, so that it fetches
        one page and waits with the rest in hand (robots.txt not asked for, or it would take
        the host's first turn and the page the next, 5 min on). Returns the daemon once that
        first page was asked for."""
        port = fx.base.rsplit(":", 1)[1]
        os.makedirs(os.path.join(fx.www, "set"), exist_ok=True)
        for i in range(feeds):
            items = "".join(
                "<item><title>Long %d</title><link>http://slow.localhost:%s/set/none/%d.html"
                "</link><guid>long-%d</guid><description><![CDATA[%s]]></description></item>"
                % (n, port, n, n, description)
                for n in range(i * items_per_feed, (i + 1) * items_per_feed))
            with open(os.path.join(fx.www, "set", "long-%d.xml" % i), "w") as f:
                f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                        "<title>Long</title>%s</channel></rss>" % items)
        fx.write_feeds(*("/set/long-%d.xml" % i for i in range(feeds)))
        fx.write_config(fetch_pages="no", log_level="notice")
        result = fx.once(timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(fx.state_counts(), {"pending": feeds * items_per_feed})
        fx.write_feeds()
        fx.write_config(host_min_gap="5m", max_transfers="1", robots="ignore",
                        log_level="notice")
        daemon = fx.start_daemon()
        fx.wait_for(lambda: any("/set/none/" in line for line in fx.requests()), timeout=120,
                    what="the first page request")
        return daemon

    @unittest.skipIf(os.environ.get("FEEDSPOOL_SANITIZE") == "1",
                     "under the sanitizers, memory is theirs to spend")
    def test_memory_does_not_grow_with_pending_items(self):
        fx = Fixture()
        daemon = None
        try:
            text = "<p>%s</p>" % ("Feed text that stands in for the page. " * 400)  # 16 KB
            # (300 items a feed: 4.8 MB, under max_body)
            daemon = self.start_waiting_daemon(fx, 10, 300, text)
            with open("/proc/%d/status" % daemon.pid) as f:
                peak_kb = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
            self.assertLess(peak_kb, 50 * 1024, "peak RSS %d KB with 3,000 items pending" % peak_kb)
        finally:
            if daemon:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=60)
            fx.close()

    def test_no_busy_loop_while_jobs_wait(self):
        """A backlog wider than the job window, on one host with a long gap: the daemon waits
        for the gap with its window of jobs in hand, asleep. (It checked for pending items to
        read after each check found none, burning a core until a job ended.)"""
        fx = Fixture()
        daemon = None
        try:
            daemon = self.start_waiting_daemon(fx, 1, 200, "An item.")  # (the window: 64 jobs)

            def cpu_seconds():
                with open("/proc/%d/stat" % daemon.pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            before, started = cpu_seconds(), time.monotonic()
            time.sleep(3)
            used, waited = cpu_seconds() - before, time.monotonic() - started
            self.assertLess(used, 0.2 * waited,
                            "%.2f s of CPU in %.2f s of waiting for the host's gap" % (used, waited))
        finally:
            if daemon:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=60)
            fx.close()


if __name__ == "__main__":
    unittest.main()
