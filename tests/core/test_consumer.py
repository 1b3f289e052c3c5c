"""test_consumer.py: the consumer example in the README, run exactly as written, twice at
the same time, over a spool the daemon filled: every record is processed exactly once and
the spool is left empty; `feedspool spool stats` reports the depth before and after.
Consumers SIGKILLed in the middle of a record leave their claims in cur/: the daemon returns
them to new/ after claim_timeout, and another consumer processes them."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE, Fixture  # noqa: E402


def readme_consumer():
    readme = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
    match = re.search(r"<!-- consumer-example -->\n```sh\n(.*?)```", readme, re.S)
    assert match, "the README has no consumer example block"
    return match.group(1)


class ConsumerExample(unittest.TestCase):
    def test_readme_consumer_takes_every_record_once(self):
        fx = Fixture()
        try:
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.assertEqual(fx.once().returncode, 0)
            ids = {r["id"] for r in fx.records().values()}
            self.assertEqual(len(ids), 7)
            stats = subprocess.run([BIN, "spool", "stats", "--json", "-c", fx.config],
                                   capture_output=True, text=True)
            self.assertEqual(stats.returncode, 0, stats.stderr)
            self.assertEqual(json.loads(stats.stdout)["depth"], 7)

            script = os.path.join(fx.dir, "consume.sh")
            with open(script, "w") as f:
                f.write(readme_consumer())
            env = dict(os.environ, SPOOL=fx.spool)
            consumers = [subprocess.Popen(["sh", script], env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True) for _ in range(2)]
            lines = []
            for c in consumers:
                out, err = c.communicate(timeout=60)
                self.assertEqual(c.returncode, 0, err)
                lines += [l for l in out.splitlines() if l]
            self.assertEqual(sorted(l.split("\t")[0] for l in lines), sorted(ids))
            self.assertEqual(os.listdir(os.path.join(fx.spool, "new")), [])
            self.assertEqual(os.listdir(os.path.join(fx.spool, "cur")), [])
            stats = subprocess.run([BIN, "spool", "stats", "--json", "-c", fx.config],
                                   capture_output=True, text=True)
            after = json.loads(stats.stdout)
            self.assertEqual((after["depth"], after["claimed"], after["oldest_age_seconds"]), (0, 0, -1))
        finally:
            fx.close()


# Claims one record, then "processes" it for a minute (it is killed long before).
SLOW_CONSUMER = r"""
import os, sys, time
spool = sys.argv[1]
for name in sorted(os.listdir(os.path.join(spool, "new"))):
    try:
        os.rename(os.path.join(spool, "new", name), os.path.join(spool, "cur", name))
    except FileNotFoundError:
        continue
    print(name, flush=True)
    time.sleep(60)
"""


class DeadConsumers(unittest.TestCase):
    def test_claims_of_killed_consumers_come_back(self):
        fx = Fixture()
        daemon = None
        log = ""
        try:
            fx.write_config(claim_timeout=os.environ.get("TEST_CLAIM_TIMEOUT", "2s"))
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.assertEqual(fx.once().returncode, 0)
            ids = {r["id"] for r in fx.records().values()}
            self.assertEqual(len(ids), 7)
            daemon = fx.start_daemon()
            held = []
            for _ in range(4):  # four consumers each claim a record and die on it
                c = subprocess.Popen([sys.executable, "-c", SLOW_CONSUMER, fx.spool],
                                     stdout=subprocess.PIPE, text=True)
                held.append(c.stdout.readline().strip())
                c.send_signal(signal.SIGKILL)
                c.wait()
                c.stdout.close()
            self.assertEqual(sorted(os.listdir(os.path.join(fx.spool, "cur"))), sorted(held))
            # A live consumer takes what it finds; the dead ones' records come back to new/.
            processed = []
            deadline = time.time() + 20
            while len(processed) < 7 and time.time() < deadline:
                new = os.path.join(fx.spool, "new")
                for name in os.listdir(new):
                    try:
                        os.rename(os.path.join(new, name), os.path.join(fx.spool, "cur", name))
                    except FileNotFoundError:
                        continue
                    processed.append(name[:-5])
                    os.unlink(os.path.join(fx.spool, "cur", name))
                time.sleep(0.1)
            self.assertEqual(sorted(processed), sorted(ids), "every record processed once")
            self.assertEqual(os.listdir(os.path.join(fx.spool, "cur")), [])
        finally:
            if daemon:
                daemon.send_signal(signal.SIGTERM)
                log = daemon.communicate(timeout=15)[1]
            fx.close()
        returned = re.findall(r"claims older than claim_timeout returned to new/ count=(\d+)", log)
        self.assertEqual(sum(map(int, returned)), 4, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
