"""test_consumer.py: the consumer example in the README, run exactly as written, twice at
the same time, over a spool the daemon filled: every record is processed exactly once and
the spool is left empty; `feedspool spool stats` reports the depth before and after."""
import json
import os
import re
import subprocess
import sys
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
