"""test_jetstream.py: the JetStream sink against a real nats-server (JetStream on, file store).

Every record reaches the stream exactly once on the subject of each of its topics (none when
it has no topic), with RECORD-ID:TOPIC as Nats-Msg-Id, Content-Type, schema version and story
id headers, and leaves new/ only once acknowledged: in a plain run; when the server
is down at first and comes later (records wait in new/, then go in write order); when the
server is stopped and restarted in the middle of an ingest; when `feedspool publish` is killed
with SIGKILL again and again while records are in flight (the server drops the replays); and
when the stream refuses records over its maximum message size (those go to quarantine/, the
others arrive); when a file in new/ is not a JSON record (quarantine/, the others go); and when
no stream takes the subject (records wait, the log says so once, no retry storm; they go once a
stream is made); when the server's max_payload is smaller than a record (quarantine/, at once);
and `publish --timeout` gives up on an absent server."""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
import natsserver  # noqa: E402

STREAM = "ARTICLES"


def write_pages_feed(fx, name, count, words=60):
    """A feed of `count` items, each linking to a page of its own words."""
    items = []
    for i in range(count):
        page = "%s-%d.html" % (name, i)
        body = "".join("<p>%s</p>" % " ".join("%s%dw%d" % (name, i, p * 100 + n) for n in range(words // 4))
                       for p in range(4))
        with open(os.path.join(fx.www, "pages", page), "w") as f:
            f.write("<html><head><title>%s %d</title></head><body><article><h1>%s %d</h1>%s"
                    "</article></body></html>" % (name, i, name, i, body))
        items.append("<item><title>%s %d</title><link>{{BASE}}/pages/%s</link></item>" % (name, i, page))
    with open(os.path.join(fx.www, "feeds", name + ".xml"), "w") as f:
        f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>%s"
                "</channel></rss>" % (name, "".join(items)))
    return "/feeds/%s.xml" % name


@unittest.skipUnless(natsserver.available(), "nats-server is not installed (scripts/install-deps installs it)")
class JetStreamTest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.nats = natsserver.NatsServer(self.fx.dir)
        self.nats.create_stream(STREAM, "feedspool.articles.>")
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM, stop_timeout="3s")

    def tearDown(self):
        self.nats.stop()
        self.fx.close()

    def folder(self, name):
        path = os.path.join(self.fx.spool, name)
        return sorted(f[:-5] for f in os.listdir(path)) if os.path.isdir(path) else []

    def assert_each_once(self, expected_ids, stream=STREAM):
        stored = [m[1] for m in self.nats.messages(stream)]
        self.assertEqual(len(stored), len(set(stored)), "a message stored twice")
        self.assertEqual(sorted(set(s.split(":")[0] for s in stored)), sorted(expected_ids))

    def test_records_published_once_and_moved_to_sent(self):
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.folder("new"), [])
        sent = self.folder("sent")
        self.assertEqual(len(sent), 7)
        self.assert_each_once(sent)
        subjects = {}
        for seq, msg_id, subject, topics, content_type, version, story in \
                self.nats.messages_with_headers(STREAM):
            record_id, topic = msg_id.split(":")
            with open(os.path.join(self.fx.spool, "sent", record_id + ".json")) as f:
                record = json.load(f)
            ids = [t["id"] for t in record["topics"]]
            self.assertEqual(subject, "feedspool.articles." + topic)
            subjects.setdefault(record_id, []).append(topic)
            self.assertEqual(topics, ",".join(ids) if ids else "-")
            self.assertEqual(content_type, "application/json")
            self.assertEqual(version, str(record["schema_version"]))
            self.assertEqual(story, record["story"])
        for record_id, topics in subjects.items():
            with open(os.path.join(self.fx.spool, "sent", record_id + ".json")) as f:
                ids = [t["id"] for t in json.load(f)["topics"]]
            # a subscriber of any one of its topics sees it
            self.assertEqual(sorted(topics), sorted(ids) if ids else ["none"])
        self.assertTrue(any(len(t) > 1 for t in subjects.values()), "a record of several topics")
        self.assertIn("JetStream published=7 duplicates=0", result.stderr)
        stats = subprocess.run([BIN, "spool", "stats", "--json", "-c", self.fx.config],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(json.loads(stats.stdout)["sent"], 7)
        self.assertEqual(json.loads(stats.stdout)["depth"], 0)
        # Nothing new: a second run publishes nothing.
        stored = len(self.nats.messages(STREAM))
        again = self.fx.once()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(len(self.nats.messages(STREAM)), stored)

    def test_server_away_records_wait_then_go_in_order(self):
        self.nats.stop()
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("not reachable yet", result.stderr)
        waiting = self.folder("new")
        self.assertEqual(len(waiting), 7, "records stay in new/ while the server is away")
        written_order = sorted(waiting, key=lambda i: os.stat(
            os.path.join(self.fx.spool, "new", i + ".json")).st_mtime_ns)
        self.nats.start()
        published = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=60)
        self.assertEqual(published.returncode, 0, published.stderr)
        self.assertIn("published 7 records", published.stdout)
        self.assertEqual(self.folder("new"), [])
        in_order = []
        for m in self.nats.messages(STREAM):
            if m[1].split(":")[0] not in in_order:
                in_order.append(m[1].split(":")[0])
        self.assertEqual(in_order, written_order)

    def test_server_restarted_mid_ingest(self):
        self.fx.write_feeds(write_pages_feed(self.fx, "bulk", 150))
        metrics = "127.0.0.1:%d" % natsserver.free_port()
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM, stop_timeout="20s",
                             max_per_host="4", metrics_address=metrics)
        daemon = self.fx.start_daemon()

        def connected():
            scraped = urllib.request.urlopen("http://%s/metrics" % metrics, timeout=5).read().decode()
            return int(re.search(r"^feedspool_jetstream_connected (\d)$", scraped, re.M).group(1))
        try:
            self.fx.wait_for(lambda: len(self.folder("sent")) >= 20, timeout=60, what="some published")
            self.nats.stop()
            self.fx.wait_for(lambda: connected() == 0, timeout=30, what="the gauge says disconnected")
            time.sleep(6)  # longer than the 5 s acknowledgement wait: still one warning
            self.nats.start()
            self.fx.wait_for(lambda: connected() == 1, timeout=30, what="the gauge says connected")
            self.fx.wait_for(lambda: len(self.folder("sent")) == 150 and not self.folder("new"),
                             timeout=90, what="all 150 published after the restart")
            scraped = urllib.request.urlopen("http://%s/metrics" % metrics, timeout=5).read().decode()
            published = int(re.search(r"^feedspool_jetstream_published_total (\d+)$", scraped, re.M).group(1))
            self.assertGreaterEqual(published, 150)
            self.assertIn("feedspool_jetstream_connected 1", scraped)
            self.assertIn('feedspool_jetstream_pending{state="in_flight"} 0', scraped)
        finally:
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)
        self.assertEqual(err.count("JetStream connection lost"), 1, "one warning per outage")
        self.assertIn("JetStream connected again", err)
        self.assertLessEqual(err.count("no acknowledgement within"), 1)
        self.assert_each_once(self.folder("sent"))

    def test_sigkill_between_publish_and_ack(self):
        # 4,000 records in new/ (the spool contract: whole files, <id>.json), made from one real one.
        self.fx.write_feeds("/feeds/frontier.atom")
        self.fx.write_config(nats_servers="", stop_timeout="3s")
        self.assertEqual(self.fx.once().returncode, 0)
        new = os.path.join(self.fx.spool, "new")
        written = sorted(os.listdir(new))
        with open(os.path.join(new, written[0])) as f:
            template = json.load(f)
        for name in written:
            os.unlink(os.path.join(new, name))
        ids = []
        for i in range(4000):
            record = dict(template, id="%032x" % (0xfeed0000 + i))
            with open(os.path.join(new, record["id"] + ".json"), "w") as f:
                json.dump(record, f)
            ids.append(record["id"])
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM, nats_max_in_flight="200")
        rng = random.Random(5)
        kills_mid_flight = 0
        delay = 0.02  # grows while kills come before anything is acknowledged (a slow start)
        for _ in range(40):
            left = len(self.folder("new"))
            if not left or kills_mid_flight >= 12:
                break
            p = subprocess.Popen([BIN, "publish", "-c", self.fx.config], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(delay / 2, delay))
            p.send_signal(signal.SIGKILL)
            p.wait()
            now_left = len(self.folder("new"))
            if 0 < now_left < left:
                kills_mid_flight += 1  # some acknowledged and moved, more still to go
            elif now_left == left:
                delay *= 1.5
        final = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True, text=True,
                               timeout=120)
        self.assertEqual(final.returncode, 0, final.stderr)
        self.assertGreaterEqual(kills_mid_flight, 3, "the kills landed while records were in flight")
        self.assertEqual(self.folder("new"), [])
        self.assertEqual(sorted(self.folder("sent")), sorted(ids))
        self.assert_each_once(ids)

    def test_no_stream_for_the_subject_records_wait(self):
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
        self.fx.write_config(nats_servers=self.nats.url, nats_subject="elsewhere.<topic>",
                             stop_timeout="4s")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.folder("new")), 7, "nothing stored: everything waits in new/")
        self.assertEqual(result.stderr.count("JetStream did not store records"), 1, "said once")
        self.assertLess(len(result.stderr.splitlines()), 40, "no retry storm in the log")
        self.nats.create_stream("ELSEWHERE", "elsewhere.>")
        published = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=60)
        self.assertEqual(published.returncode, 0, published.stderr)
        self.assertEqual(self.folder("new"), [])
        self.assert_each_once(self.folder("sent"), stream="ELSEWHERE")
        self.assertEqual(len(self.folder("sent")), 7)

    def test_a_file_in_new_that_is_not_a_record_goes_to_quarantine(self):
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
        self.fx.write_config(nats_servers="", stop_timeout="3s")
        self.assertEqual(self.fx.once().returncode, 0)
        records = self.folder("new")
        broken = "%032x" % 0xbad
        with open(os.path.join(self.fx.spool, "new", broken + ".json"), "w") as f:
            f.write('{"id": "%s", "topics": [{"id": "cut off' % broken)
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM)
        published = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=60)
        self.assertEqual(published.returncode, 0, published.stderr)
        self.assertIn("published %d records" % len(records), published.stdout)
        self.assertIn("new/%s.json is not a JSON record" % broken, published.stderr)
        self.assertEqual(self.folder("new"), [])
        self.assertEqual(self.folder("quarantine"), [broken])
        self.assert_each_once(records)

    def test_stream_refuses_large_records(self):
        self.nats.stop()
        shutil.rmtree(self.nats.store)
        self.nats.start()
        self.nats.create_stream(STREAM, "feedspool.articles.>", max_msg_size=6000)
        self.fx.write_feeds(write_pages_feed(self.fx, "small", 5, words=40),
                            write_pages_feed(self.fx, "large", 3, words=2000))
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("record refused by the stream, moved to quarantine", result.stderr)
        self.assertEqual(self.folder("new"), [])
        self.assertEqual(len(self.folder("quarantine")), 3)
        self.assertEqual(len(self.folder("sent")), 5)
        self.assert_each_once(self.folder("sent"))

    def test_records_over_the_servers_max_payload_go_to_quarantine(self):
        self.nats.stop()
        os.makedirs(os.path.join(self.fx.dir, "small"))
        self.nats = natsserver.NatsServer(os.path.join(self.fx.dir, "small"), max_payload=8192)
        self.nats.create_stream(STREAM, "feedspool.articles.>")
        self.fx.write_feeds(write_pages_feed(self.fx, "small", 5, words=40),
                            write_pages_feed(self.fx, "large", 3, words=2000))
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM, stop_timeout="20s")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("max_payload=8192 bytes, less than max_record_bytes", result.stderr)
        self.assertEqual(result.stderr.count("record larger than the server's max_payload"), 3)
        self.assertEqual(self.folder("new"), [])
        self.assertEqual(len(self.folder("quarantine")), 3)
        self.assertEqual(len(self.folder("sent")), 5)
        self.assert_each_once(self.folder("sent"))

    def test_publish_timeout_on_an_absent_server(self):
        self.fx.write_feeds("/feeds/south-asia.xml")
        self.fx.write_config(nats_servers="", stop_timeout="3s")
        self.assertEqual(self.fx.once().returncode, 0)
        waiting = self.folder("new")
        self.nats.stop()
        self.fx.write_config(nats_servers=self.nats.url, nats_stream=STREAM)
        started = time.monotonic()
        published = subprocess.run([BIN, "publish", "--timeout", "2s", "-c", self.fx.config],
                                   capture_output=True, text=True, timeout=120)
        self.assertEqual(published.returncode, 1, published.stderr)
        self.assertLess(time.monotonic() - started, 60)
        self.assertIn("JetStream: %d records not delivered, they stay in new/" % len(waiting),
                      published.stderr)
        self.assertEqual(self.folder("new"), waiting)
        bad = subprocess.run([BIN, "publish", "--timeout", "soon", "-c", self.fx.config],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--timeout: 'soon' is not a duration", bad.stderr)


if __name__ == "__main__":
    unittest.main()
