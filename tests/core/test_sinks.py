"""test_sinks.py: several sinks at once, the JSON Lines sink and the webhook sink, on real
files, a real nats-server, a real HTTP receiver on loopback and real signals.

A record leaves new/ only once every configured sink has it: with a JSON Lines file and
JetStream together, every record is a line of the file and in the stream, and new/ is empty;
`feedspool publish` killed with SIGKILL again and again loses nothing in either (the file may
hold a record twice, the stream dedupes it). The JSON Lines file is one compact record a line,
readable by a tail -F-like reader while it rotates (by size, FILE.1 ...), and reopened on
SIGHUP after an outside tool moved it; with jsonl_file = - the lines go to standard output,
and a reader that stops reading the pipe holds back only the sink (/metrics answers), then
gets every record once, in whole lines.
The webhook sink gets 500s, an answer slower than its timeout and then 2xx from a Python
receiver, and delivers every record (the record as the body, its id as Idempotency-Key),
warning once per run of failures; batches go as JSON Lines; a loopback URL needs
allow_networks. A record the receiver refuses with a 422 every time goes to quarantine/ (the
JSON Lines sink still gets it), logged with the status and an escaped excerpt of the answer;
401, 429 (its Retry-After honoured) and 503 are retried; a refused batch is sent again one
record a request, so that only the refused record is quarantined."""
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import random
import re
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
import natsserver  # noqa: E402
from test_jetstream import write_pages_feed  # noqa: E402

STREAM = "ARTICLES"


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as r:
        return r.read().decode()


class TailReader:
    """Follows a rotated file as a log shipper does: by inode, not only by name. Each poll looks
    at the name and its rotated names (NAME.1 ... NAME.9), opens from its start every file it
    has not seen yet, and reads what is new in every file it holds, so that a writer that
    rotates twice between two polls loses the reader nothing."""

    def __init__(self, path):
        self.path, self.lines = path, []
        self.files = {}  # inode -> [open file, the partial line read last]

    def poll(self):
        for name in [f"{self.path}.{n}" for n in range(9, 0, -1)] + [self.path]:
            try:
                f = open(name)
            except FileNotFoundError:
                continue
            inode = os.fstat(f.fileno()).st_ino
            if inode in self.files:
                f.close()
            else:
                self.files[inode] = [f, ""]
        for entry in self.files.values():
            data = entry[1] + entry[0].read()
            *whole, entry[1] = data.split("\n")
            self.lines.extend(whole)

    def close(self):
        for f, _ in self.files.values():
            f.close()


class Receiver:
    """A webhook receiver on 127.0.0.1 (Python's http.server, a thread per request). Answers
    the requests in turn as `plan` says ("500", "slow": longer than the sender's timeout, then
    200; "ok"), then with rng-chosen 500s at `fail_rate`, else 200. Keeps every request."""

    def __init__(self, plan=(), fail_rate=0.0, seed=1, refuse=()):
        self.plan, self.fail_rate, self.rng = list(plan), fail_rate, random.Random(seed)
        self.refuse = set(refuse)  # record ids answered 422 (a request holding one), every time
        self.requests = []  # (status answered, headers, body)
        self.times = []  # time.monotonic() of each request, in turn
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ids = set(self.headers.get("Feedspool-Record-Ids", "").split(","))
                with receiver.lock:
                    receiver.times.append(time.monotonic())
                    how = "422" if ids & receiver.refuse else receiver.plan.pop(0) \
                        if receiver.plan else \
                        ("500" if receiver.rng.random() < receiver.fail_rate else "ok")
                if how == "slow":
                    time.sleep(5)
                status = 200 if how in ("ok", "slow") else int(how)
                answer = b'{"error": "field \\"title\\" missing"}\n\x1b[31m' if status == 422 else b"ok"
                with receiver.lock:
                    receiver.requests.append((status if how != "slow" else 0, dict(self.headers), body))
                try:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "2")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up (the slow answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def delivered(self):
        """[(headers, body)] of the requests answered 200."""
        with self.lock:
            return [(h, b) for status, h, b in self.requests if status == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class SinksTest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.jsonl = os.path.join(self.fx.dir, "out", "records.jsonl")
        os.makedirs(os.path.dirname(self.jsonl))

    def tearDown(self):
        self.fx.close()

    def folder(self, name):
        path = os.path.join(self.fx.spool, name)
        return sorted(f[:-5] for f in os.listdir(path)) if os.path.isdir(path) else []

    def lines(self, *paths):
        out = []
        for path in paths:
            if os.path.exists(path):
                with open(path) as f:
                    out.extend(f.read().splitlines())
        return out

    def fill_new(self, count):
        """count records in new/, made from a real one, as a consumer-facing spool holds them."""
        self.fx.write_feeds("/feeds/frontier.atom")
        self.fx.write_config(stop_timeout="3s")
        self.assertEqual(self.fx.once().returncode, 0)
        new = os.path.join(self.fx.spool, "new")
        written = sorted(os.listdir(new))
        with open(os.path.join(new, written[0])) as f:
            template = json.load(f)
        for name in written:
            os.unlink(os.path.join(new, name))
        ids = []
        for i in range(count):
            record = dict(template, id="%032x" % (0xfeed0000 + i))
            with open(os.path.join(new, record["id"] + ".json"), "w") as f:
                json.dump(record, f, indent=1)  # not one line: the sink makes it one
            ids.append(record["id"])
        return ids

    @unittest.skipUnless(natsserver.available(), "nats-server is not installed")
    def test_jsonl_and_jetstream_both_get_every_record(self):
        nats = natsserver.NatsServer(self.fx.dir)
        try:
            nats.create_stream(STREAM, "feedspool.articles.>")
            self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.fx.write_config(nats_servers=nats.url, nats_stream=STREAM, jsonl_file=self.jsonl)
            result = self.fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            sent = self.folder("sent")
            self.assertEqual(len(sent), 7)
            self.assertEqual(self.folder("new"), [])
            lines = self.lines(self.jsonl)
            self.assertEqual(sorted(json.loads(line)["id"] for line in lines), sent)
            for line in lines:
                with open(os.path.join(self.fx.spool, "sent", json.loads(line)["id"] + ".json")) as f:
                    self.assertEqual(line + "\n", f.read(), "the record's bytes, one line")
            stored = sorted(set(m[1].split(":")[0] for m in nats.messages(STREAM)))
            self.assertEqual(stored, sent)
            self.assertIn("JSON Lines published=7", result.stderr)
            self.assertIn("JetStream published=7", result.stderr)
        finally:
            nats.stop()

    @unittest.skipUnless(natsserver.available(), "nats-server is not installed")
    def test_one_sink_away_keeps_records_in_new_for_it_alone(self):
        nats = natsserver.NatsServer(self.fx.dir)
        nats.create_stream(STREAM, "feedspool.articles.>")
        nats.stop()
        try:
            self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.fx.write_config(nats_servers=nats.url, nats_stream=STREAM, jsonl_file=self.jsonl,
                                 stop_timeout="2s")
            result = self.fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(len(self.lines(self.jsonl)), 7, "the file sink went on")
            self.assertEqual(len(self.folder("new")), 7, "JetStream still owes them")
            nats.start()
            published = subprocess.run([BIN, "publish", "--timeout", "60s", "-c", self.fx.config],
                                       capture_output=True, text=True, timeout=120)
            self.assertEqual(published.returncode, 0, published.stderr)
            self.assertIn("JSON Lines: published 0 records", published.stdout)
            self.assertIn("JetStream: published 7 records", published.stdout)
            self.assertEqual(len(self.lines(self.jsonl)), 7, "not written again")
            self.assertEqual(self.folder("new"), [])
            self.assertEqual(len(self.folder("sent")), 7)
        finally:
            nats.stop()

    @unittest.skipUnless(natsserver.available(), "nats-server is not installed")
    def test_sigkill_mid_publish_with_two_sinks_loses_nothing(self):
        ids = self.fill_new(3000)
        nats = natsserver.NatsServer(self.fx.dir)
        receiver = Receiver(fail_rate=0.1, seed=11)
        try:
            nats.create_stream(STREAM, "feedspool.articles.>")
            self.fx.write_config(nats_servers=nats.url, nats_stream=STREAM, jsonl_file=self.jsonl,
                                 webhook_url=receiver.url, webhook_batch="50",
                                 nats_max_in_flight="10", jsonl_rotate_bytes="2M", jsonl_keep="100")
            files = [self.jsonl] + ["%s.%d" % (self.jsonl, k) for k in range(1, 101)]

            def written():
                return sum(os.path.getsize(f) for f in files if os.path.exists(f))
            kills_mid_way = 0
            for _ in range(8):
                before = written()
                p = subprocess.Popen([BIN, "publish", "-c", self.fx.config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.time() + 60
                while p.poll() is None and written() == before and time.time() < deadline:
                    time.sleep(0.002)
                p.send_signal(signal.SIGKILL)  # as soon as the file sink has written something
                p.wait()
                if self.folder("new"):
                    kills_mid_way += 1
                else:
                    break
            final = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=180)
            self.assertEqual(final.returncode, 0, final.stderr)
            self.assertGreaterEqual(kills_mid_way, 2, "the kills landed mid-way")
            self.assertEqual(self.folder("new"), [])
            self.assertEqual(self.folder("sent"), sorted(ids))
            in_file = set(json.loads(line)["id"] for line in self.lines(*files))
            self.assertEqual(sorted(in_file), sorted(ids), "every record in the file at least once")
            stored = [m[1] for m in nats.messages(STREAM)]
            self.assertEqual(len(stored), len(set(stored)), "the stream dropped the replays")
            self.assertEqual(sorted(set(s.split(":")[0] for s in stored)), sorted(ids))
            hooked = set()
            for headers, body in receiver.delivered():
                hooked.update(headers["Feedspool-Record-Ids"].split(","))
            self.assertEqual(sorted(hooked), sorted(ids), "every record through the webhook")
        finally:
            nats.stop()
            receiver.close()

    def test_jsonl_rotates_under_a_tail_reader(self):
        self.fx.write_feeds(write_pages_feed(self.fx, "bulk", 120))
        self.fx.write_config(jsonl_file=self.jsonl, jsonl_rotate_bytes="24K", jsonl_keep="3",
                             max_per_host="4")
        reader = TailReader(self.jsonl)
        stop = threading.Event()

        def follow():  # as a log shipper does: all the time, not at the test's pace
            while not stop.is_set():
                reader.poll()
                time.sleep(0.0005)
            reader.poll()
        follower = threading.Thread(target=follow)
        follower.start()
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.folder("sent")) >= 120, timeout=120,
                             what="every record delivered")
        finally:
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=30)
            stop.set()
            follower.join()
            reader.close()
        self.assertEqual(daemon.returncode, 0, err)
        ids = [json.loads(line)["id"] for line in reader.lines]
        self.assertEqual(sorted(ids), self.folder("sent"), "each record once, none lost")
        self.assertEqual(len(ids), 120)
        total = sum(len(line) + 1 for line in reader.lines)
        self.assertGreater(total, 4 * 24 * 1024, "enough for several rotations")
        self.assertTrue(os.path.exists(self.jsonl + ".3"), "rotated")
        self.assertFalse(os.path.exists(self.jsonl + ".4"), "only jsonl_keep kept")
        for path in [self.jsonl, self.jsonl + ".1", self.jsonl + ".2", self.jsonl + ".3"]:
            self.assertLessEqual(os.path.getsize(path), 24 * 1024)

    def test_sighup_reopens_a_moved_file(self):
        self.fx.write_feeds("/feeds/south-asia.xml")
        self.fx.write_config(jsonl_file=self.jsonl)
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.lines(self.jsonl)) >= 1 and not self.folder("new"),
                             timeout=60, what="the first records")
            first = len(self.lines(self.jsonl))
            os.rename(self.jsonl, self.jsonl + ".old")  # as logrotate does
            self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            daemon.send_signal(signal.SIGHUP)
            self.fx.wait_for(lambda: len(self.lines(self.jsonl)) >= 1 and not self.folder("new")
                             and len(self.folder("sent")) == 7, timeout=60,
                             what="records of the new feed in the new file")
        finally:
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)
        self.assertIn("JSON Lines sink reopened", err)
        # What was written between the move and SIGHUP is in the old file (as with logrotate);
        # the records of the feed added at the SIGHUP are all in the new one.
        old, new = self.lines(self.jsonl + ".old"), self.lines(self.jsonl)
        self.assertGreaterEqual(len(old), first)
        self.assertGreaterEqual(len(new), 1)
        self.assertEqual(sorted(json.loads(line)["id"] for line in old + new), self.folder("sent"))

    def test_webhook_retries_until_2xx(self):
        receiver = Receiver(plan=["500", "500", "slow", "ok", "500"], fail_rate=0.3, seed=3)
        try:
            self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.fx.write_config(webhook_url=receiver.url, stop_timeout="120s")
            result = self.fx.once(timeout=180)
            self.assertEqual(result.returncode, 0, result.stderr)
            sent = self.folder("sent")
            self.assertEqual(len(sent), 7)
            self.assertEqual(self.folder("new"), [])
            delivered = receiver.delivered()
            self.assertEqual(sorted(set(h["Idempotency-Key"] for h, b in delivered)), sent)
            for headers, body in delivered:
                key = headers["Idempotency-Key"]
                self.assertEqual(headers["Content-Type"], "application/json")
                self.assertEqual(headers["Feedspool-Record-Ids"], key)
                with open(os.path.join(self.fx.spool, "sent", key + ".json"), "rb") as f:
                    self.assertEqual(body, f.read(), "the record as the body")
            failed = [r for r in receiver.requests if r[0] != 200]
            self.assertGreaterEqual(len(failed), 4, "500s and the slow answer were retried")
            runs = sum(1 for i, r in enumerate(receiver.requests)
                       if r[0] != 200 and (i == 0 or receiver.requests[i - 1][0] == 200))
            warnings = result.stderr.count("webhook did not take records")
            self.assertGreaterEqual(warnings, 1)
            self.assertLessEqual(warnings, runs, "one warning per run of failures")
            self.assertIn("webhook delivers again", result.stderr)
        finally:
            receiver.close()

    def test_webhook_batches_as_json_lines(self):
        ids = self.fill_new(10)
        receiver = Receiver()
        try:
            self.fx.write_config(webhook_url=receiver.url, webhook_batch="3")
            published = subprocess.run([BIN, "publish", "--timeout", "60s", "-c", self.fx.config],
                                       capture_output=True, text=True, timeout=120)
            self.assertEqual(published.returncode, 0, published.stderr)
            self.assertIn("webhook: published 10 records", published.stdout)
            got = []
            for headers, body in receiver.delivered():
                self.assertEqual(headers["Content-Type"], "application/x-ndjson")
                lines = body.decode().splitlines()
                self.assertLessEqual(len(lines), 3)
                batch = [json.loads(line)["id"] for line in lines]
                self.assertEqual(headers["Feedspool-Record-Ids"], ",".join(batch))
                self.assertEqual(headers["Idempotency-Key"], batch[0] if len(batch) == 1 else
                                 hashlib.sha256(",".join(batch).encode()).hexdigest())
                got.extend(batch)
            self.assertEqual(got, ids, "each once, oldest first")
            self.assertEqual(self.folder("new"), [])
        finally:
            receiver.close()

    def test_webhook_quarantines_a_record_refused_for_good(self):
        ids = self.fill_new(6)
        poison = ids[2]
        receiver = Receiver(plan=["401", "429", "503"], refuse=[poison])
        try:
            self.fx.write_config(webhook_url=receiver.url, jsonl_file=self.jsonl)
            published = subprocess.run([BIN, "publish", "--timeout", "60s", "-c", self.fx.config],
                                       capture_output=True, text=True, timeout=120)
            self.assertIn("webhook: published 5 records (0 already stored, 1 refused",
                          published.stdout, published.stderr)
            self.assertEqual(self.folder("quarantine"), [poison], "refused for good")
            self.assertEqual(self.folder("sent"), sorted(set(ids) - {poison}))
            self.assertEqual(self.folder("new"), [])
            self.assertEqual([json.loads(line)["id"] for line in self.lines(self.jsonl)], ids,
                             "the other sink got it all the same")
            asked = [h["Idempotency-Key"] for status, h, b in receiver.requests]
            self.assertEqual(asked.count(poison), 1, "not sent again")
            self.assertEqual([h["Idempotency-Key"] for h, b in receiver.delivered()],
                             [i for i in ids if i != poison], "each other once, in order")
            statuses = [status for status, h, b in receiver.requests]
            self.assertEqual(statuses[:3], [401, 429, 503], "401, 429 and 503 are retried")
            self.assertGreaterEqual(receiver.times[2] - receiver.times[1], 1.9,
                                    "Retry-After: 2 honoured")
            self.assertIn("webhook refused a record for good, moved to quarantine record=" + poison,
                          published.stderr)
            self.assertIn('status=422 body="{\\"error\\": \\"field \\\\\\"title\\\\\\" missing\\"}\\n\\x1b[31m"',
                          published.stderr, "the answer's excerpt, escaped")
        finally:
            receiver.close()

    def test_webhook_batch_refused_is_looked_through_one_by_one(self):
        ids = self.fill_new(7)
        poison = ids[4]
        receiver = Receiver(refuse=[poison])
        try:
            port = natsserver.free_port()
            self.fx.write_config(webhook_url=receiver.url, webhook_batch="3",
                                 metrics_address="127.0.0.1:%d" % port)
            daemon = self.fx.start_daemon()
            try:
                self.fx.wait_for(lambda: not self.folder("new"), timeout=60, what="new/ emptied")
                metrics = scrape(port)
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=30)
            self.assertEqual(self.folder("quarantine"), [poison])
            self.assertEqual(self.folder("sent"), sorted(set(ids) - {poison}))
            self.assertIn("feedspool_webhook_refused_total 1\n", metrics)
            sent = [h["Feedspool-Record-Ids"] for status, h, b in receiver.requests]
            self.assertEqual(sent, [",".join(ids[0:3]), ",".join(ids[3:6]), ids[3], ids[4], ids[5],
                                    ids[6]], "the refused batch one by one, then batches again")
        finally:
            receiver.close()

    def test_webhook_on_loopback_needs_allow_networks(self):
        ids = self.fill_new(3)
        receiver = Receiver()
        try:
            self.fx.write_config(webhook_url=receiver.url, allow_networks="")
            published = subprocess.run([BIN, "publish", "--timeout", "3s", "-c", self.fx.config],
                                       capture_output=True, text=True, timeout=60)
            self.assertEqual(published.returncode, 1, published.stderr)
            self.assertIn("the address policy refused it", published.stderr)
            self.assertIn("allow_networks", published.stderr)
            self.assertEqual(receiver.requests, [])
            self.assertEqual(self.folder("new"), sorted(ids), "nothing lost")
        finally:
            receiver.close()

    def test_jsonl_file_cut_back_after_a_crash_mid_line(self):
        ids = self.fill_new(3)
        with open(self.jsonl, "w") as f:  # what a SIGKILL in the middle of a write(2) leaves
            f.write('{"id":"%s"}\n{"id":"%s","title":"half a reco' % ("0" * 32, ids[0]))
        self.fx.write_config(jsonl_file=self.jsonl)
        published = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=60)
        self.assertEqual(published.returncode, 0, published.stderr)
        self.assertIn("cut back to its last whole line", published.stderr)
        got = [json.loads(line)["id"] for line in self.lines(self.jsonl)]  # each line whole
        self.assertEqual(got, ["0" * 32] + ids)

    def test_jsonl_to_standard_output(self):
        ids = self.fill_new(50)
        self.fx.write_config(jsonl_file="-")
        published = subprocess.run([BIN, "publish", "-c", self.fx.config], capture_output=True,
                                   text=True, timeout=60)
        self.assertEqual(published.returncode, 0, published.stderr)
        lines = published.stdout.splitlines()
        self.assertEqual([json.loads(line)["id"] for line in lines], ids, "oldest first, one a line")
        self.assertIn("JSON Lines: published 50 records", published.stderr)
        self.assertEqual(self.folder("new"), [])

    def test_jsonl_stdout_reader_that_stops_reading_holds_back_only_the_sink(self):
        ids = self.fill_new(400)  # far more than a pipe holds (64 KiB)
        port = natsserver.free_port()
        self.fx.write_config(jsonl_file="-", metrics_address="127.0.0.1:%d" % port)
        stdout_r, stdout_w = os.pipe()
        with open(os.path.join(self.fx.dir, "stderr.log"), "w") as err:
            daemon = subprocess.Popen([BIN, "run", "-c", self.fx.config], stdout=stdout_w,
                                      stderr=err)
        os.close(stdout_w)
        reader = os.fdopen(stdout_r, "rb")
        try:
            def waiting():  # the pipe is full: records queued or half written, none lost
                m = re.search(r'^feedspool_jsonl_pending\{state="(?:queued|in_flight)"\} '
                              r'([1-9][0-9]*)$', scrape(port), re.M)
                return m is not None

            def started_and_waiting():
                try:
                    return waiting()
                except ConnectionRefusedError:
                    return False  # not listening yet
                except urllib.error.URLError as e:
                    if isinstance(e.reason, ConnectionRefusedError):
                        return False
                    raise
            self.fx.wait_for(started_and_waiting, timeout=60,
                             what="the sink waiting for its reader")
            for _ in range(5):  # the loop goes on while the reader sleeps
                self.assertTrue(waiting())
                time.sleep(0.2)
            self.assertTrue(self.folder("new"), "the records the reader has not taken wait")
            out = []
            drainer = threading.Thread(target=lambda: out.append(reader.read()))
            drainer.start()
            self.fx.wait_for(lambda: not self.folder("new"), timeout=60, what="every record out")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
        drainer.join(timeout=30)
        reader.close()
        self.assertEqual(daemon.returncode, 0)
        data = out[0].decode()
        self.assertTrue(data.endswith("\n"))
        got = [json.loads(line)["id"] for line in data.splitlines()]  # whole lines, or this fails
        self.assertEqual(got, ids, "every record once, in order")
        self.assertEqual(self.folder("sent"), sorted(ids))


if __name__ == "__main__":
    unittest.main()
