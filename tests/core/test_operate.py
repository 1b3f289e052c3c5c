"""test_operate.py: running feedspool as an operator does: once's exit status for cron
(0 all polled, 3 some feeds failed, 4 all failed), one writer per state database (a second
`once` beside `run` refuses, exit 5, while read-only commands work), `feedspool feeds` and
`feedspool items` read from the state, and the three log forms (journald's priority
prefixes, timestamp and level elsewhere, JSON lines)."""
import json
import os
import re
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402

GOOD = "/feeds/south-asia.xml"
MISSING = "/feeds/missing.xml"


def feedspool(fx, *args):
    return subprocess.run([BIN, *args, "-c", fx.config], capture_output=True, text=True,
                          timeout=60)


class OnceExitStatus(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_every_feed_answered(self):
        self.fx.write_feeds(GOOD)
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_some_feeds_failed(self):
        self.fx.write_feeds(GOOD, MISSING)
        result = self.fx.once()
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertGreater(len(self.fx.records()), 0, "the good feed was still ingested")

    def test_every_feed_failed(self):
        self.fx.write_feeds(MISSING, "/feeds/not-xml.xml")
        result = self.fx.once()
        self.assertEqual(result.returncode, 4, result.stderr)


class StateLock(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_feeds(GOOD)

    def tearDown(self):
        self.fx.close()

    def test_once_beside_run_refuses_and_readers_still_read(self):
        daemon = self.fx.start_daemon()
        try:
            lock = self.fx.state + ".lock"

            def held():
                with open(lock) as f:
                    return f.read().strip() == str(daemon.pid)
            self.fx.wait_for(lambda: os.path.exists(lock) and held(), what="run's lock")
            self.fx.wait_for(lambda: len(self.fx.records()) == 4, what="run's records")
            second = self.fx.once()
            self.assertEqual(second.returncode, 5, second.stderr)
            self.assertIn("the state database %s is in use by another feedspool (pid %d"
                          % (self.fx.state, daemon.pid), second.stderr)
            self.assertNotIn("started", second.stderr, "the second writer did not start")
            reader = feedspool(self.fx, "feeds", "--json")
            self.assertEqual(reader.returncode, 0, reader.stderr)
            self.assertEqual(json.loads(reader.stdout)[0]["url"], self.fx.url(GOOD))
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=20)
        self.assertEqual(daemon.returncode, 0)
        again = self.fx.once()
        self.assertEqual(again.returncode, 0, "the lock went with the daemon: " + again.stderr)


class Reports(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def test_feeds_shows_each_feeds_state(self):
        self.fx.write_feeds(GOOD, MISSING)
        self.assertEqual(self.fx.once().returncode, 3)
        result = feedspool(self.fx, "feeds", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        feeds = {f["url"]: f for f in json.loads(result.stdout)}
        good, missing = feeds[self.fx.url(GOOD)], feeds[self.fx.url(MISSING)]
        self.assertEqual(good["state"], "ok")
        self.assertEqual(good["last_status"], 200)
        self.assertIsNone(good["last_error"])
        self.assertRegex(good["last_success"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(good["items_written"], len(self.fx.records()))
        self.assertEqual(good["items_seen"], len(self.fx.records()))
        self.assertEqual(missing["state"], "failing")
        self.assertEqual(missing["last_status"], 404)
        self.assertEqual(missing["errors"], 1)
        self.assertIn("404", missing["last_error"])
        self.assertIsNone(missing["last_success"])
        self.assertEqual(missing["items_seen"], 0)
        self.assertIsNotNone(missing["next_poll"])

        failing = json.loads(feedspool(self.fx, "feeds", "--json", "--failing").stdout)
        self.assertEqual([f["url"] for f in failing], [self.fx.url(MISSING)])
        table = feedspool(self.fx, "feeds", "--failing").stdout.splitlines()
        self.assertEqual(table[0].split()[:3], ["STATE", "STATUS", "ERRORS"])
        self.assertEqual(table[1].split()[:3], ["failing", "404", "1"])
        self.assertTrue(table[1].endswith(self.fx.url(MISSING)))
        self.assertIn("error: ", table[2])

    def test_items_by_state_and_feed(self):
        self.fx.write_config(fetch_pages="no")  # every item stays pending
        self.fx.write_feeds(GOOD, "/feeds/frontier.atom")
        self.assertEqual(self.fx.once().returncode, 0)
        everything = json.loads(feedspool(self.fx, "items", "--json").stdout)
        self.assertGreater(len(everything), 4)
        pending = json.loads(
            feedspool(self.fx, "items", "--state", "pending", "--feed", self.fx.url(GOOD),
                      "--json").stdout)
        self.assertEqual(len(pending), 4)
        for item in pending:
            self.assertEqual(item["state"], "pending")
            self.assertEqual(item["feed"], self.fx.url(GOOD))
            self.assertTrue(item["link"].startswith(self.fx.base), item)
        self.assertEqual(json.loads(feedspool(self.fx, "items", "--state", "failed",
                                              "--json").stdout), [])
        self.assertEqual(len(json.loads(feedspool(self.fx, "items", "--limit", "2",
                                                  "--json").stdout)), 2)
        text = feedspool(self.fx, "items", "--feed", self.fx.url(GOOD)).stdout.splitlines()
        self.assertEqual(len([l for l in text if l.startswith("pending ")]), 4)

    def test_no_state_yet(self):
        result = feedspool(self.fx, "feeds")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no state database at " + self.fx.state, result.stderr)
        self.assertFalse(os.path.exists(self.fx.state), "a reader creates nothing")


class LogForms(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_feeds(GOOD, MISSING)

    def tearDown(self):
        self.fx.close()

    def once_into_file(self, journal_stream_matches):
        """once with stderr in a file; JOURNAL_STREAM names that file, or another one."""
        path = os.path.join(self.fx.dir, "stderr.log")
        with open(path, "w") as err:
            st = os.fstat(err.fileno())
            env = dict(os.environ)
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev,
                                               st.st_ino + (0 if journal_stream_matches else 1))
            subprocess.run([BIN, "once", "-c", self.fx.config], stdout=subprocess.DEVNULL,
                           stderr=err, env=env, timeout=60)
        with open(path) as f:
            return f.read().splitlines()

    def test_under_journald_lines_keep_their_priority(self):
        lines = self.once_into_file(True)
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[3-7]>")
        self.assertTrue([l for l in lines if l.startswith("<4>feed poll failed ")], lines)

    def test_elsewhere_a_timestamp_and_the_level(self):
        lines = self.once_into_file(False)  # JOURNAL_STREAM inherited, stderr elsewhere
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
                                   r"(error|warning|notice|info|debug) ")
        failed = [l for l in lines if " warning feed poll failed " in l]
        self.assertEqual(len(failed), 1, lines)
        self.assertIn("feed=" + self.fx.url(MISSING), failed[0])

    def test_json_lines_for_log_shippers(self):
        self.fx.write_config(log_format="json")
        result = self.fx.once()
        self.assertEqual(result.returncode, 3)
        lines = [json.loads(line) for line in result.stderr.splitlines()]
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(list(line)[:3], ["time", "level", "message"])
            self.assertIn(line["level"], ["error", "warning", "notice", "info", "debug"])
        failed = [l for l in lines if l["message"] == "feed poll failed"]
        self.assertEqual(len(failed), 1, result.stderr)
        self.assertEqual(failed[0]["level"], "warning")
        self.assertEqual(failed[0]["feed"], self.fx.url(MISSING))
        self.assertEqual(failed[0]["status"], 404)
        finished = [l for l in lines if l["message"] == "finished"]
        self.assertEqual(finished[0]["polls_failed"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
