"""test_retention.py: what the spool keeps of what no consumer needs, in the running daemon.

- With JetStream and sent_max_files = 3: every record is published, sent/ ends with the 3
  newest, and feedspool_spool_pruned_files_total{folder="sent"} counts the others (the
  scrape passes `promtool check metrics`).
- sent/ and quarantine/ by age and count, sources.jsonl rotated at its size, the oldest
  rotated file dropped: at start (one log line for the pass), on the timer while the
  daemon runs (files added later are removed within seconds) and at once after a SIGHUP
  that tightens a limit; a record in new/ is never touched however old.
- A disk budget: the oldest of sent/ go first, then quarantine/; when only undelivered
  records are left over it, article fetching pauses (the log, /metrics and /readyz say
  why) while feeds are still polled; as a consumer drains new/, fetching resumes and every
  item is delivered exactly once.
- A pass over 100,000 files in sent/ runs beside the event loop: /metrics answers during it;
  a scrape reads new/ only (it works with sent/ unreadable).
- `check` notes a budget that is not above spool_max_bytes."""
import os
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import natsserver  # noqa: E402
from fixture import BIN, Fixture  # noqa: E402


def fill(folder, names, size=100, age=0):
    os.makedirs(folder, exist_ok=True)
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write("x" * size)
        when = time.time() - age
        os.utime(path, (when, when))


def count(folder):
    return len(os.listdir(folder)) if os.path.isdir(folder) else 0


def scrape(port, path="/metrics"):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except urllib.error.URLError:  # not listening yet
        return 0, ""


def metric(text, name):
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


def promtool(*args, stdin=None):
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


class Retention(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.port = natsserver.free_port()
        self.daemon = None

    def tearDown(self):
        self.stop()
        self.fx.close()

    def stop(self):
        if not self.daemon:
            return ""
        self.daemon.send_signal(signal.SIGTERM)
        err = self.daemon.communicate(timeout=30)[1]
        self.assertEqual(self.daemon.returncode, 0, err)
        self.daemon = None
        return err

    @unittest.skipUnless(natsserver.available(), "nats-server is not installed")
    def test_sent_keeps_the_newest_with_jetstream(self):
        fx = self.fx
        nats = natsserver.NatsServer(fx.dir)
        try:
            nats.create_stream("ARTICLES", "feedspool.articles.>")
            fx.write_config(metrics_address="127.0.0.1:%d" % self.port, nats_servers=nats.url,
                            nats_stream="ARTICLES", sent_max_files="3", retention_interval="1s")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.daemon = fx.start_daemon()
            sent = os.path.join(fx.spool, "sent")
            fx.wait_for(lambda: fx.state_counts() == {"emitted": 7} and count(fx.spool + "/new") == 0
                        and count(sent) == 3, timeout=60, what="7 published, 3 kept in sent/")
            fx.wait_for(lambda: metric(scrape(self.port)[1],
                                       'feedspool_spool_pruned_files_total{folder="sent"}') == 4,
                        what="4 counted as pruned")
            text = scrape(self.port)[1]
            self.assertGreater(metric(text, 'feedspool_spool_pruned_bytes_total{folder="sent"}'), 0)
            self.assertEqual(metric(text, 'feedspool_spool_pruned_files_total{folder="quarantine"}'),
                             0)
            self.assertGreater(metric(text, "feedspool_spool_disk_bytes"), 0)
            lint = promtool("check", "metrics", stdin=text)
            self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
            self.assertEqual(len(set(m[1].split(":")[0] for m in nats.messages("ARTICLES"))), 7)
            err = self.stop()
        finally:
            nats.stop()
        pruned = re.findall(r"spool pruned sent=(\d+) quarantine=0 sources=0", err)
        self.assertEqual(sum(int(n) for n in pruned), 4, err)

    def test_limits_by_age_and_count_at_start_and_on_the_timer(self):
        fx = self.fx
        spool = fx.spool
        fill(spool + "/sent", ["old-%d.json" % i for i in range(30)], age=7200)
        fill(spool + "/sent", ["fresh-%d.json" % i for i in range(20)])
        fill(spool + "/quarantine", ["q-%02d.json" % i for i in range(20)])
        for i in range(20):  # q-00 the oldest
            path = os.path.join(spool, "quarantine", "q-%02d.json" % i)
            os.utime(path, (time.time() - 1000 + i, time.time() - 1000 + i))
        fill(spool + "/new", ["waiting.json"], age=365 * 86400)
        fill(spool, ["sources.jsonl"], size=150 * 1024)
        fill(spool, ["sources.jsonl.1"], size=1000, age=60)
        fx.write_config(sent_max_age="1h", quarantine_max_files="5", sources_max_bytes="100K",
                        sources_max_files="1", retention_interval="1s", fetch_pages="no")
        fx.write_feeds("/feeds/frontier.atom")
        self.daemon = fx.start_daemon()
        fx.wait_for(lambda: count(spool + "/sent") == 20, what="the old records of sent/ removed")
        fx.wait_for(lambda: count(spool + "/quarantine") == 5, what="quarantine/ down to 5")
        self.assertEqual(sorted(os.listdir(spool + "/quarantine")),
                         ["q-%02d.json" % i for i in range(15, 20)])
        self.assertFalse(any(n.startswith("old-") for n in os.listdir(spool + "/sent")))
        fx.wait_for(lambda: os.path.getsize(spool + "/sources.jsonl.1") == 150 * 1024,
                    what="sources.jsonl rotated")
        self.assertFalse(os.path.exists(spool + "/sources.jsonl.2"))  # past sources_max_files
        # While it runs: the timer's passes.
        fill(spool + "/sent", ["later-%d.json" % i for i in range(5)], age=7200)
        fx.wait_for(lambda: count(spool + "/sent") == 20, what="the later old records removed")
        self.assertEqual(os.listdir(spool + "/new"), ["waiting.json"])
        # A reload with a tighter limit applies it at once (the interval is an hour now).
        fx.write_config(sent_max_age="1h", quarantine_max_files="2", sources_max_bytes="100K",
                        sources_max_files="1", retention_interval="1h", fetch_pages="no")
        self.daemon.send_signal(signal.SIGHUP)
        fx.wait_for(lambda: count(spool + "/quarantine") == 2, what="quarantine/ down to 2")
        err = self.stop()
        self.assertIn("spool pruned sent=30 quarantine=15 sources=1 ", err)
        self.assertIn("spool pruned sent=5 quarantine=0 sources=0 ", err)
        self.assertIn("spool pruned sent=0 quarantine=3 sources=0 ", err)
        self.assertIn("sources.jsonl rotated to sources.jsonl.1", err)
        self.assertEqual(len(re.findall("spool pruned", err)), 3, err)

    def test_disk_budget_removes_sent_then_quarantine_then_pauses(self):
        fx = self.fx
        spool = fx.spool
        fill(spool + "/sent", ["s-%d.json" % i for i in range(10)], size=4000, age=10)
        fill(spool + "/quarantine", ["q-%d.json" % i for i in range(2)], size=4000, age=5)
        fx.write_config(spool_disk_budget="20K", max_transfers="1", retention_interval="1h",
                        metrics_address="127.0.0.1:%d" % self.port)
        fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
        self.daemon = fx.start_daemon()
        fx.wait_for(lambda: metric(scrape(self.port)[1],
                                   'feedspool_fetching_paused{reason="disk_budget"}') == 1,
                    timeout=60, what="fetching paused by the budget")
        self.assertEqual(count(spool + "/sent"), 0)  # sent/ went first, then quarantine/
        self.assertEqual(count(spool + "/quarantine"), 0)
        written = len(fx.records())
        self.assertLess(written, 7)
        status, body = scrape(self.port, "/readyz")
        self.assertEqual(status, 503)
        self.assertIn("fetching paused: the spool is over its disk budget", body)
        time.sleep(1.5)
        self.assertEqual(len(fx.records()), written, "fetching must stay paused")
        counts = fx.state_counts()
        self.assertEqual(counts.get("emitted", 0) + counts.get("pending", 0), 7)
        # A consumer takes the records away; the daemon resumes and delivers the rest.
        delivered = set()
        deadline = time.time() + 60
        while len(delivered) < 7 and time.time() < deadline:
            for name in os.listdir(spool + "/new"):
                os.rename(os.path.join(spool, "new", name), os.path.join(spool, "cur", name))
                self.assertNotIn(name, delivered)
                delivered.add(name)
                os.unlink(os.path.join(spool, "cur", name))
            time.sleep(0.2)
        self.assertEqual(len(delivered), 7)
        self.assertEqual(fx.state_counts(), {"emitted": 7})
        err = self.stop()
        self.assertIn("spool over its disk budget with only undelivered records left, article "
                      "fetching pauses", err)
        self.assertIn("spool back within its disk budget, article fetching resumes", err)
        removed = re.findall(r"spool pruned sent=(\d+) quarantine=(\d+)", err)
        self.assertEqual(sum(int(s) for s, _ in removed), 10, err)
        self.assertEqual(sum(int(q) for _, q in removed), 2, err)

    def test_a_pass_over_100000_files_leaves_the_loop_free(self):
        # A pass runs on its own thread: /metrics answers while one runs (twice within the
        # same pass, the gauge still 1), which a pass on the event loop never lets happen.
        fx = self.fx
        sent = os.path.join(fx.spool, "sent")
        os.makedirs(sent)
        for i in range(100000):
            os.close(os.open(os.path.join(sent, "s-%06d.json" % i), os.O_CREAT | os.O_WRONLY))
        fx.write_config(metrics_address="127.0.0.1:%d" % self.port, retention_interval="1s",
                        fetch_pages="no")
        fx.write_feeds("/feeds/frontier.atom")
        self.daemon = fx.start_daemon()
        gauge = "feedspool_spool_retention_running"
        seen = []
        deadline = time.time() + 120
        while time.time() < deadline and len(seen) < 2:
            value = metric(scrape(self.port)[1], gauge)
            seen = seen + [value] if value == 1 else []
        self.assertEqual(seen, [1, 1], "no two scrapes answered during one pass")
        fx.wait_for(lambda: fx.state_counts().get("pending", 0) > 0, timeout=60,
                    what="the feed polled as well")
        self.assertEqual(count(sent), 100000)  # (within sent_max_files: nothing removed)

    def test_a_scrape_does_not_read_sent(self):
        # /metrics and the backpressure count read new/ only: with sent/ unreadable (here a
        # file where the folder would be) the depth is still reported.
        fx = self.fx
        fill(fx.spool + "/new", ["waiting.json"])
        fill(fx.spool, ["sent"])
        fx.write_config(metrics_address="127.0.0.1:%d" % self.port, fetch_pages="no")
        fx.write_feeds("/feeds/frontier.atom")
        self.daemon = fx.start_daemon()
        fx.wait_for(lambda: scrape(self.port)[0] == 200, timeout=60, what="/metrics answering")
        self.assertEqual(metric(scrape(self.port)[1], "feedspool_spool_depth"), 1)

    def test_check_notes_a_budget_below_spool_max_bytes(self):
        fx = self.fx
        fx.write_feeds("/feeds/frontier.atom")
        fx.write_config(spool_disk_budget="1M", spool_max_bytes="10M")
        result = subprocess.run([BIN, "check", "-c", fx.config], capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)  # a note, not a problem
        self.assertIn("note: spool_disk_budget (1048576 bytes) is not above spool_max_bytes "
                      "(10485760)", result.stdout)
        fx.write_config(spool_disk_budget="2G")
        result = subprocess.run([BIN, "check", "-c", fx.config], capture_output=True, text=True,
                                timeout=60)
        self.assertNotIn("note:", result.stdout)


if __name__ == "__main__":
    unittest.main()
