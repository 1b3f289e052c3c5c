"""test_e2e.py: the whole pipeline, end to end, against the fixture server.

The real feedspool binary polls real feeds over HTTP on 127.0.0.1, fetches the
article pages, extracts, tags and writes records into a real spool, with state
in a real SQLite database; the daemon gets real signals.
"""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture, by_title  # noqa: E402

SEED_TITLES = {
    "000": "Pakistan reaches 'tentative understanding' with TTP for truce: report",
    "001": "Pakistan government reaches understanding with TTP for temporary truce, says report",
    "002": "Imran govt reaches understanding with Tehreek-i-Taliban Pakistan in temporary truce",
    "003": "Pakistan, TTP agree on month-long ceasefire",
    "004": "Taliban mediate temporary ceasefire between Pakistan and TTP",
}

# Sentences from the start and the end of each seed's body: the article must keep them.
SEED_BODY = {
    "000": ["reached a “tentative understanding” with the outlawed Tehreek-i-Taliban Pakistan",
            "has fallen apart in days as fears rise about the Al Qaeda-linked group’s true agenda"],
    "001": ["Haqqani is a specially designated global terrorist",
            "Such attacks have seen an uptick since the Taliban takeover of Kabul in August"],
    "002": ["Sources told Dawn News the “direct, face-to-face” talks",
            "and the TTP includes all groups without exception"],
    "003": ["Pakistan government has agreed on a one-month ceasefire",
            "President Arif Alvi earlier also suggested"],
    "004": ["The Taliban have mediated a temporary ceasefire",
            "Balochistan Liberation Army (BLA) militants"],
}

# The clutter tests/data/seeds/README.md lists for each seed: none of it may survive.
SEED_CLUTTER = {
    "000": [],
    "001": ["Taliban now guard site of Bamiyan Buddhas", "Source link"],
    "002": ["Follow us", "sharing button", "Tamil Nadu polls", "Pakistan | TTP", "Wallpaper Cave",
            "@indiablooms", "Support Our Journalism", "February 14, 2026", "unbiased journalism"],
    "003": ["1636451760533", "Image Credit: AP"],
    "004": ["With AP"],
}


class FeedTopicsOption(unittest.TestCase):
    """topics= on a feed-list line restricts the topics tagged on that feed's articles."""

    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_only_the_listed_topics_are_tagged(self):
        with open(self.fx.feeds, "w") as f:
            f.write(self.fx.url("/feeds/south-asia.xml") + " topics=ceasefire\n")
            f.write(self.fx.url("/feeds/frontier.atom") + "\n")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = list(self.fx.records().values())
        restricted = [r for r in records if r["feed"]["url"].endswith("south-asia.xml")]
        others = [r for r in records if r["feed"]["url"].endswith("frontier.atom")]
        self.assertTrue(restricted and others)
        for r in restricted:
            self.assertNotIn("ttp", r["topic_ids"], r["title"])
        self.assertTrue(any("ceasefire" in r["topic_ids"] for r in restricted))
        self.assertTrue(any("ttp" in r["topic_ids"] for r in others))


class SampleIngest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")

    def tearDown(self):
        self.fx.close()

    def test_once_writes_one_clean_tagged_record_per_item(self):
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = self.fx.records()
        self.assertEqual(len(records), 7, sorted(r["title"] for r in records.values()))
        self.assertEqual(self.fx.tmp_files(), [])
        for name, record in records.items():
            self.assertEqual(name, record["id"] + ".json")
            self.assertEqual(record["schema"], "feedspool.article")
            self.assertEqual(record["schema_version"], 2)
            self.assertTrue(record["text"].strip())
            self.assertRegex(record["fetched"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        titles = by_title(records)
        for seed, title in SEED_TITLES.items():
            record = titles[title]
            self.assertEqual(set(record["topic_ids"]), {"ttp", "ceasefire"}, title)
            self.assertEqual(record["text_source"], "page")
            for topic in record["topics"]:
                self.assertTrue(topic["evidence"], topic)
            for sentence in SEED_BODY[seed]:
                self.assertIn(sentence, record["text"], seed)
            for clutter in SEED_CLUTTER[seed]:
                self.assertNotIn(clutter, record["text"], seed)
        self.assertEqual(titles["Derby managers call a 'ceasefire' before the city final"]["topic_ids"], [])
        self.assertEqual(titles["Blood disorder clinic opens in Peshawar"]["topic_ids"], [])
        derby = titles["Derby managers call a 'ceasefire' before the city final"]
        # The near miss is kept with its reason: a figurative truce, no fighting near it.
        self.assertEqual([(t["id"], t["reason"]) for t in derby["topics_rejected"]],
                         [("ceasefire", "no context")])
        self.assertTrue(derby["topics_rejected"][0]["evidence"])
        self.assertNotIn("topics_rejected", titles[SEED_TITLES["003"]])
        for clutter in ["We use cookies", "Share on Facebook", "Get the matchday briefing",
                        "Related stories", "All rights reserved", "Live scores"]:
            self.assertNotIn(clutter, derby["text"])
        # Feed metadata is carried through.
        seed3 = titles[SEED_TITLES["003"]]
        self.assertEqual(seed3["published"], "2021-11-09T05:52:00Z")
        self.assertEqual(seed3["feed"]["url"], self.fx.url("/feeds/frontier.atom"))
        self.assertEqual(seed3["url"], self.fx.url("/pages/seed-003.html"))
        self.assertEqual(set(self.fx.item_states().values()), {"emitted"})

    def test_second_once_writes_nothing_and_polls_conditionally(self):
        self.assertEqual(self.fx.once().returncode, 0)
        first = self.fx.records()
        before = len(self.fx.requests())
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.fx.records(), first)
        second_round = self.fx.requests()[before:]
        feed_requests = [r for r in second_round if " /feeds/" in r]
        self.assertEqual(len(feed_requests), 2, second_round)
        for line in feed_requests:
            self.assertNotIn("inm=-", line, "validators must be sent: " + line)
        self.assertFalse([r for r in second_round if " /pages/" in r], "no page is fetched again")

    def test_restarted_daemon_writes_nothing_twice(self):
        daemon = self.fx.start_daemon()
        self.fx.wait_for(lambda: len(self.fx.records()) == 7, what="7 records")
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=15)
        self.assertEqual(daemon.returncode, 0, err)
        first = self.fx.records()
        # Make every feed due now, so the restarted daemon polls them all again at once.
        db = sqlite3.connect(self.fx.state)
        db.execute("UPDATE feeds SET next_due = 0")
        db.commit()
        db.close()
        polls_before = len([r for r in self.fx.requests() if " /feeds/" in r])
        daemon = self.fx.start_daemon()
        self.fx.wait_for(lambda: len([r for r in self.fx.requests() if " /feeds/" in r])
                         == polls_before + 2, what="both feeds polled again")
        time.sleep(0.5)
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=15)
        self.assertEqual(daemon.returncode, 0, err)
        self.assertEqual(self.fx.records(), first)


class DaemonSignals(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_sighup_adds_feeds_and_sigterm_exits_cleanly(self):
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == 3, what="3 records from the Atom feed")
            self.fx.write_feeds("/feeds/frontier.atom", "/feeds/south-asia.xml")
            daemon.send_signal(signal.SIGHUP)
            self.fx.wait_for(lambda: len(self.fx.records()) == 7, what="7 records after SIGHUP")
            # A broken feed list on reload is refused; the daemon keeps running.
            with open(self.fx.feeds, "a") as f:
                f.write("not-a-url\n")
            daemon.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertIsNone(daemon.poll())
            # A broken configuration on reload is refused too, naming file and line.
            with open(self.fx.config) as f:
                bad_line = len(f.readlines()) + 1
            with open(self.fx.config, "a") as f:
                f.write("max_per_hots = 3\n")
            daemon.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertIsNone(daemon.poll())
            # A good one is applied; options read only at start are named as such.
            self.fx.write_config(spool=self.fx.spool + "-elsewhere", retry_delay="2s")
            daemon.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            started = time.time()
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=15)
            self.assertEqual(daemon.returncode, 0, err)
            self.assertLess(time.time() - started, 10)
            self.assertIn("feed list refused", err)
            self.assertIn("feeds.txt:3:", err)
            self.assertIn("configuration refused", err)
            self.assertIn("feedspool.conf:%d: unknown option 'max_per_hots'" % bad_line, err)
            self.assertIn('take effect at the next start options="spool"', err)
            self.assertEqual(self.fx.tmp_files(), [])
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.communicate()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(url):
    """Fetches url with curl, as a monitoring system would."""
    result = subprocess.run(["curl", "-sf", url], capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise AssertionError("curl %s failed: %s" % (url, result.stderr))
    return result.stdout


def metric(text, name):
    match = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    assert match, "no %s in:\n%s" % (name, text)
    return float(match.group(1))


class Metrics(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_endpoint_serves_prometheus_text_and_the_numbers_move(self):
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        self.fx.write_config(metrics_address="127.0.0.1:%d" % port)
        self.fx.write_feeds("/feeds/frontier.atom", "/feeds/missing.xml")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == 3, what="3 records")
            self.assertEqual(scrape(base + "/healthz"), "ok\n")
            text = scrape(base + "/metrics")
            self.assertEqual(metric(text, "feedspool_articles_written_total"), 3)
            self.assertEqual(metric(text, 'feedspool_feeds{state="ok"}'), 1)
            self.assertEqual(metric(text, 'feedspool_feeds{state="failing"}'), 1)
            self.assertEqual(metric(text, 'feedspool_fetches_total{kind="page",outcome="ok"}'), 3)
            self.assertEqual(metric(text, 'feedspool_fetches_total{kind="feed",outcome="http_error"}'), 1)
            self.assertEqual(metric(text, "feedspool_spool_depth"), 3)
            self.assertGreater(metric(text, "feedspool_spool_bytes"), 1000)
            self.assertEqual(metric(text, 'feedspool_fetch_duration_seconds_count{kind="feed"}'), 2)
            self.assertEqual(metric(text, 'feedspool_fetch_duration_seconds_count{kind="page"}'), 3)
            self.assertEqual(metric(text, 'feedspool_fetch_duration_seconds_bucket{kind="page",le="+Inf"}'), 3)
            self.assertEqual(metric(text, "feedspool_items_pending"), 0)
            self.assertEqual(metric(text, 'feedspool_fetching_paused{reason="spool_full"}'), 0)
            self.assertEqual(metric(text, 'feedspool_config_reloads_total{result="success"}'), 0)
            started = metric(text, "feedspool_config_last_reload_success_timestamp_seconds")
            self.assertLess(abs(started - time.time()), 60)
            self.assertLess(abs(metric(text, "process_start_time_seconds") - time.time()), 60)
            self.assertGreater(metric(text, "process_resident_memory_bytes"), 1 << 20)
            self.assertGreater(metric(text, "process_open_fds"), 3)
            self.assertGreater(metric(text, "process_cpu_seconds_total"), 0)
            self.assertIn('feedspool_feed_last_success_timestamp_seconds{feed="%s"}'
                          % self.fx.url("/feeds/frontier.atom"), text)
            # More work, and the numbers follow.
            self.fx.write_feeds("/feeds/frontier.atom", "/feeds/missing.xml", "/feeds/south-asia.xml")
            daemon.send_signal(signal.SIGHUP)
            self.fx.wait_for(lambda: len(self.fx.records()) == 7, what="7 records")
            text = scrape(base + "/metrics")
            self.assertEqual(metric(text, "feedspool_articles_written_total"), 7)
            self.assertEqual(metric(text, "feedspool_spool_depth"), 7)
            self.assertEqual(metric(text, 'feedspool_feeds{state="ok"}'), 2)
            self.assertEqual(metric(text, 'feedspool_config_reloads_total{result="success"}'), 1)
            self.assertEqual(metric(text, "feedspool_config_last_reload_successful"), 1)
            # A feed list that is refused: the reload counts as failed, the old list stays.
            with open(self.fx.feeds, "a") as f:
                f.write("%s interval=often\n" % self.fx.url("/feeds/other.xml"))
            daemon.send_signal(signal.SIGHUP)
            self.fx.wait_for(lambda: "feedspool_config_reloads_total{result=\"failure\"} 1"
                             in scrape(base + "/metrics"), what="a failed reload counted")
            text = scrape(base + "/metrics")
            self.assertEqual(metric(text, "feedspool_config_last_reload_successful"), 0)
            self.assertEqual(metric(text, 'feedspool_feeds{state="ok"}'), 2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)
        self.assertEqual(daemon.returncode, 0)

    def test_metrics_address_beyond_loopback_serves_with_a_notice(self):
        port = free_port()
        self.fx.write_config(metrics_address="0.0.0.0:%d" % port)
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        try:
            def serving():
                try:
                    return scrape("http://127.0.0.1:%d/healthz" % port) == "ok\n"
                except AssertionError:
                    return False
            self.fx.wait_for(serving, what="/healthz on 0.0.0.0")
        finally:
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=15)
        self.assertEqual(daemon.returncode, 0)
        self.assertIn("metrics_address is not a loopback address", err)
        self.assertIn("address=0.0.0.0:%d" % port, err)

    def test_metrics_address_without_a_port_is_refused(self):
        self.fx.write_config(metrics_address="127.0.0.1:http")
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        out, err = daemon.communicate(timeout=15)
        self.assertNotEqual(daemon.returncode, 0)
        self.assertIn("metrics_address: '127.0.0.1:http': the port must be a number from 1 to 65535", err)


class BadInput(unittest.TestCase):
    """Each broken input is logged with its feed URL and reason and stops nothing else."""

    def setUp(self):
        self.fx = Fixture()
        self.fx.write_config(article_attempts="2")
        self.fx.write_feeds("/feeds/not-xml.xml", "/feeds/missing.xml", "/hang/feed.xml",
                            "/feeds/troubles.xml", "/feeds/south-asia.xml")

    def tearDown(self):
        self.fx.close()

    def log_line(self, stderr, *needles):
        for line in stderr.splitlines():
            if all(n in line for n in needles):
                return line
        self.fail("no log line with %r in:\n%s" % (needles, stderr))

    def test_each_bad_input_is_logged_and_the_rest_ingested(self):
        started = time.time()
        result = self.fx.once()
        self.assertEqual(result.returncode, 3, "some feeds failed: " + result.stderr)
        self.assertLess(time.time() - started, 30, "a server that never answers must time out")
        err = result.stderr
        self.log_line(err, "feed=" + self.fx.url("/feeds/not-xml.xml"), "not a feed")
        self.log_line(err, "feed=" + self.fx.url("/feeds/missing.xml"), "status=404")
        self.log_line(err, "feed=" + self.fx.url("/hang/feed.xml"), "reason=")
        self.log_line(err, "url=" + self.fx.url("/pages/data.json"), "not HTML")
        self.log_line(err, "feed=" + self.fx.url("/feeds/troubles.xml"), "item has no link")
        self.log_line(err, "url=" + self.fx.url("/status/503/busy-story"), "HTTP 503")
        for line in err.splitlines():
            self.assertRegex(line, r"^\S+Z (error|warning|notice|info|debug) ",
                             "every log line has its time and level")

        titles = by_title(self.fx.records())
        # The good feed is untouched by the bad ones.
        for title in SEED_TITLES.values():
            if title in (SEED_TITLES["003"], SEED_TITLES["004"]):
                continue
            self.assertIn(title, titles)
        # Feed text stands in where the page cannot be had.
        self.assertEqual(titles["Full text only in the feed"]["text_source"], "feed")
        self.assertIn("finance minister said the allocation", titles["Full text only in the feed"]["text"])
        self.assertNotIn("Share this story", titles["Full text only in the feed"]["text"])
        self.assertEqual(titles["Page is gone, summary remains"]["text_source"], "feed")
        self.assertNotIn("Page is JSON, feed has no text", titles)
        self.assertNotIn("Title only, nothing else", titles)
        # A 503 is transient: the item stays pending for the next run, which retries it.
        self.assertNotIn("Server is down for now", titles)
        states = self.fx.item_states()
        self.assertEqual(sorted(states.values()).count("pending"), 1, states)

        second = self.fx.once()
        self.assertEqual(second.returncode, 3, "the bad feeds fail again: " + second.stderr)
        titles = by_title(self.fx.records())
        self.assertEqual(titles["Server is down for now"]["text_source"], "feed")
        self.assertNotIn("pending", self.fx.item_states().values())
        self.assertEqual(self.fx.tmp_files(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
