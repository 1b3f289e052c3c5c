"""test_chaos.py: the spool's promises while everything around the daemon misbehaves.

50 feeds of 40 items each on a loopback server that edits item titles and drops items from
its feeds and brings them back as it goes; the daemon SIGKILLed 150 times, each 0.05-1 s
after its start; three consumers claiming (rename into cur/), processing and deleting as
fast as they can, one of them SIGKILLed every ~0.3 s and replaced. Then the server settles
(every item listed), one `feedspool once` finishes what is pending and returns the claims
the killed consumers left in cur/ (claim_timeout), and a last consumer drains the spool.

Counted by item identity (feed URL and guid) over everything consumers took and whatever is
left in new/ and cur/:
- lost: an item that never reached a consumer;
- duplicated: an item delivered twice, where the first delivery was not the record a killed
  consumer was holding (that one comes back by claim_timeout: at least once to consumers);
- partial: a record a consumer read that was not complete, valid JSON named by its id;
and `PRAGMA integrity_check` on the state database, every item emitted."""
import hashlib
import http.server
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE  # noqa: E402

FEEDS = 50
ITEMS = 40
DAEMON_KILLS = 150
CLAIM_TIMEOUT = 3

# A consumer: claim by rename, log the claim, read and check the record, log it done, delete.
# Each process appends to its own log, so the last line of a killed one is known.
CONSUMER = r"""
import json, os, random, sys, time, hashlib
spool, log_path = sys.argv[1], sys.argv[2]
drain = len(sys.argv) > 3  # take what waits, then exit
new, cur = os.path.join(spool, "new"), os.path.join(spool, "cur")
log = open(log_path, "a", buffering=1)
while True:
    names = os.listdir(new)
    if drain and not names:
        break
    for name in names:
        path = os.path.join(cur, name)
        try:
            os.rename(os.path.join(new, name), path)
        except FileNotFoundError:
            continue  # another consumer took it
        log.write(json.dumps({"claim": name, "t": time.time()}) + "\n")
        time.sleep(random.uniform(0, 0.01))  # at work: a kill may land mid-record
        data = open(path, "rb").read()
        try:
            record = json.loads(data)
            ok = record["id"] + ".json" == name
            item = [record["feed"]["url"], record["feed"]["item_id"]]
        except (ValueError, KeyError, TypeError):
            ok, item = False, None
        log.write(json.dumps({"done": name, "item": item, "ok": ok, "t": time.time(),
                              "sha": hashlib.sha1(data).hexdigest()}) + "\n")
        time.sleep(random.uniform(0, 0.005))
        os.unlink(path)
    if not names:
        time.sleep(0.005)
"""


def words(rng, n):
    return " ".join("".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou")
                            for _ in range(rng.randint(2, 4))) for _ in range(n))


class World:
    """The feeds and pages, changing with time until settle()."""

    def __init__(self):
        self.pages = {}
        rng = random.Random(19)
        for f in range(FEEDS):
            for i in range(ITEMS):
                paragraphs = "".join("<p>%s.</p>" % words(rng, 30) for _ in range(3))
                self.pages["/page/%d/%d.html" % (f, i)] = (
                    "<html><head><title>Story %d-%d</title></head><body><article><h1>Story "
                    "%d-%d</h1>%s</article></body></html>" % (f, i, f, i, paragraphs)).encode()
        self.start = time.time()
        self.settled = False
        self.lock = threading.Lock()

    def settle(self):
        with self.lock:
            self.settled = True

    def feed(self, f, base):
        with self.lock:
            settled = self.settled
        generation = int((time.time() - self.start) / 0.7)
        items = []
        for i in range(ITEMS):
            # A quarter of the items are missing from each version, a different quarter each
            # time; titles change from version to version.
            gone = hashlib.sha1(b"%d %d %d" % (f, i, generation)).digest()[0] < 64
            if gone and not settled:
                continue
            items.append("<item><title>Story %d-%d, version %d</title><link>%s/page/%d/%d.html</link>"
                         "<guid isPermaLink=\"false\">chaos-%d-%d</guid></item>"
                         % (f, i, generation, base, f, i, f, i))
        return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed %d</title>%s"
                "</channel></rss>" % (f, "".join(items))).encode()


def serve(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            base = "http://%s:%d" % self.server.server_address
            if self.path.startswith("/feed/"):
                body, kind = world.feed(int(self.path[6:].split(".")[0]), base), "application/rss+xml"
            elif self.path in world.pages:
                body, kind = world.pages[self.path], "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a SIGKILLed daemon resets its connections

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Consumers:
    """Three consumer processes; kill_one() SIGKILLs one and starts another."""

    def __init__(self, folder, spool):
        self.folder, self.spool = folder, spool
        self.script = os.path.join(folder, "consumer.py")
        with open(self.script, "w") as f:
            f.write(CONSUMER)
        self.logs, self.killed, self.running = [], set(), []
        for _ in range(3):
            self.start()

    def start(self, *extra):
        log = os.path.join(self.folder, "consumer-%d.log" % len(self.logs))
        self.logs.append(log)
        proc = subprocess.Popen([sys.executable, self.script, self.spool, log, *extra])
        self.running.append((proc, log))
        return proc

    def kill_one(self, rng):
        proc, log = self.running.pop(rng.randrange(len(self.running)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.killed.add(log)
        self.start()

    def stop(self):
        for proc, log in self.running:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.killed.add(log)
        self.running = []


def read_log(path):
    entries = []
    if not os.path.exists(path):  # killed before it opened its log
        return entries
    with open(path) as f:
        for line in f:
            try:
                entries.append(json.loads(line))
            except ValueError:  # a line cut by SIGKILL
                pass
    return entries


class Chaos(unittest.TestCase):
    def test_nothing_lost_duplicated_or_partial_under_kills(self):
        import tempfile
        import shutil
        folder = tempfile.mkdtemp(prefix="feedspool-chaos-")
        world = World()
        server = serve(world)
        base = "http://127.0.0.1:%d" % server.server_address[1]
        spool, state = os.path.join(folder, "spool"), os.path.join(folder, "state.db")
        config = os.path.join(folder, "feedspool.conf")
        with open(os.path.join(folder, "feeds.txt"), "w") as f:
            for i in range(FEEDS):
                f.write("%s/feed/%d.xml\n" % (base, i))
        options = {
            "feeds": os.path.join(folder, "feeds.txt"),
            "topics": os.path.join(SOURCE, "topics", "default-topics.json"),
            "spool": spool, "state": state, "log_level": "warning",
            "poll_interval": "1s", "poll_jitter": "0s", "connect_timeout": "2s",
            "transfer_timeout": "5s", "low_speed_time": "3s", "retry_delay": "1s",
            "article_attempts": "5", "host_min_gap": "0ms", "max_per_host": "8",
            "allow_networks": "127.0.0.0/8", "claim_timeout": "%ds" % CLAIM_TIMEOUT,
        }
        with open(config, "w") as f:
            f.write("".join("%s = %s\n" % kv for kv in options.items()))
        os.makedirs(os.path.join(spool, "new"))
        os.makedirs(os.path.join(spool, "cur"))
        rng = random.Random(int(os.environ.get("CHAOS_SEED", "19")))
        consumers = Consumers(folder, spool)
        started = time.time()
        try:
            next_consumer_kill = time.time() + 0.3
            for _ in range(DAEMON_KILLS):
                daemon = subprocess.Popen([BIN, "run", "-c", config], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
                until = time.time() + rng.uniform(0.05, 1.0)
                while time.time() < until:
                    if time.time() >= next_consumer_kill:
                        consumers.kill_one(rng)
                        next_consumer_kill = time.time() + rng.uniform(0.15, 0.45)
                    time.sleep(min(0.02, max(0, until - time.time())))
                daemon.send_signal(signal.SIGKILL)
                daemon.wait()
            killed_consumers = len(consumers.killed)
            world.settle()
            consumers.stop()
            time.sleep(CLAIM_TIMEOUT + 0.5)  # the killed consumers' claims are now stale
            for _ in range(3):  # (once leaves a page that timed out on a loaded machine pending)
                done = subprocess.run([BIN, "once", "-c", config], capture_output=True,
                                      text=True, timeout=120)
                self.assertEqual(done.returncode, 0, done.stderr[-3000:])
                db = sqlite3.connect(state)
                pending = db.execute("SELECT count(*) FROM items WHERE state != 'emitted'").fetchone()[0]
                db.close()
                if not pending:
                    break
            self.assertEqual(os.listdir(os.path.join(spool, "cur")), [],
                             "once returns the stale claims to new/")
            drain = consumers.start("drain")
            drain.wait(timeout=60)
            consumers.running = []
            elapsed = time.time() - started

            deliveries, partial = {}, []
            for log in consumers.logs:
                entries = [e for e in read_log(log) if "done" in e]
                for n, e in enumerate(entries):
                    if not e["ok"]:
                        partial.append(e)
                        continue
                    # The last record a killed consumer took may still have been in cur/.
                    undeleted = log in consumers.killed and n == len(entries) - 1
                    deliveries.setdefault(tuple(e["item"]), []).append((e["t"], undeleted))
            expected = {("%s/feed/%d.xml" % (base, f), "chaos-%d-%d" % (f, i))
                        for f in range(FEEDS) for i in range(ITEMS)}
            lost = expected - set(deliveries)
            # A delivery after the first is a redelivery when the one before it was left in
            # cur/ by a killed consumer, else a duplicate.
            duplicated = {}
            for item, times in deliveries.items():
                times.sort()
                repeats = [t for (t, _), (_, undeleted) in zip(times[1:], times) if not undeleted]
                if repeats:
                    duplicated[item] = len(repeats)
            unexpected = set(deliveries) - expected
            redelivered = sum(len(v) - 1 for v in deliveries.values()) - sum(duplicated.values())
            print("chaos: %d daemon kills, %d consumer kills, %.0f s; %d items delivered, "
                  "%d redelivered after a consumer kill, %d lost, %d duplicated, %d partial"
                  % (DAEMON_KILLS, killed_consumers, elapsed, len(deliveries), redelivered,
                     len(lost), len(duplicated), len(partial)), file=sys.stderr)
            self.assertEqual(partial, [])
            self.assertEqual(sorted(lost)[:10], [])
            self.assertEqual(sorted(duplicated)[:10], [])
            self.assertEqual(unexpected, set())
            self.assertEqual(os.listdir(os.path.join(spool, "new")), [])
            self.assertEqual(os.listdir(os.path.join(spool, "cur")), [])
            db = sqlite3.connect(state)
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            states = dict(db.execute("SELECT state, count(*) FROM items GROUP BY state").fetchall())
            staged = db.execute("SELECT count(*) FROM staged").fetchone()[0]
            db.close()
            self.assertEqual(states, {"emitted": FEEDS * ITEMS})
            self.assertEqual(staged, 0)
        finally:
            consumers.stop()
            server.shutdown()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
