"""test_spool_limits.py: backpressure and full disks.

- When new/ holds spool_max_records, article fetching pauses while feeds are still polled
  and their items remembered; as a consumer drains new/, fetching resumes.
- On a real full filesystem (a size-limited tmpfs), failed writes leave nothing half-written,
  the items stay pending, and once there is room again every record arrives exactly once;
  the failure is logged when it begins and when it ends (not once per record per retry),
  and no page is fetched twice: what was fetched waits in memory for the disk."""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture  # noqa: E402



class Backpressure(unittest.TestCase):
    def test_fetching_pauses_at_the_limit_and_resumes_as_consumers_drain(self):
        fx = Fixture()
        daemon = None
        try:
            fx.write_config(spool_max_records="3", max_transfers="1")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            daemon = fx.start_daemon()
            fx.wait_for(lambda: len(fx.records()) >= 3, what="3 records")
            time.sleep(1.5)
            self.assertEqual(len(fx.records()), 3, "fetching must pause at the limit")
            # Both feeds were polled and every item is remembered, pending.
            self.assertEqual(fx.state_counts(), {"emitted": 3, "pending": 4})
            # A consumer takes the records away; the daemon resumes.
            delivered = set()
            deadline = time.time() + 30
            while len(delivered) < 7 and time.time() < deadline:
                new = os.path.join(fx.spool, "new")
                for name in os.listdir(new):
                    os.rename(os.path.join(new, name), os.path.join(fx.spool, "cur", name))
                    self.assertNotIn(name, delivered)
                    delivered.add(name)
                    os.unlink(os.path.join(fx.spool, "cur", name))
                time.sleep(0.2)
            self.assertEqual(len(delivered), 7)
            self.assertEqual(fx.state_counts(), {"emitted": 7})
        finally:
            if daemon:
                daemon.send_signal(signal.SIGTERM)
                out, err = daemon.communicate(timeout=15)
                self.assertIn("spool full, article fetching pauses", err)
                self.assertIn("spool drained, article fetching resumes", err)
            fx.close()


class FullDisk(unittest.TestCase):
    def test_full_disk_loses_nothing_and_recovers(self):
        fx = Fixture()
        mount = os.path.join(fx.dir, "small")
        os.mkdir(mount)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", mount],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            fx.close()
            self.skipTest("cannot mount a tmpfs here (needs root): " + mounted.stderr.strip())
        daemon = None
        try:
            fx.spool = os.path.join(mount, "spool")
            fx.write_config(spool=fx.spool, retry_delay="1s", max_transfers="2", log_level="notice")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            daemon = fx.start_daemon()
            fx.wait_for(lambda: os.path.exists(fx.state) and len(fx.state_counts()) > 0,
                        what="items seen")
            time.sleep(4)  # pages fetched; the disk fills; failed writes are retried and fail
            written = fx.records()  # every file a reader can see is complete and valid
            self.assertLess(len(written), 7, "the small disk must have filled")
            self.assertEqual(fx.tmp_files(), [], "a failed write leaves nothing behind")
            states = fx.state_counts()
            self.assertEqual(states.get("emitted", 0), len(written))
            self.assertEqual(states.get("emitted", 0) + states.get("pending", 0), 7)
            # Room again: the daemon retries on its own, and everything arrives once.
            subprocess.run(["mount", "-o", "remount,size=4m", mount], check=True)
            fx.wait_for(lambda: len(fx.records()) == 7, timeout=30, what="all 7 records")
            self.assertEqual(fx.state_counts(), {"emitted": 7})
            self.assertEqual(fx.tmp_files(), [])
            pages = [r.split()[1] for r in fx.requests() if " /pages/" in r]
            self.assertEqual(len(pages), len(set(pages)), "a page was fetched twice: %s" % pages)
        finally:
            err = ""
            if daemon:
                daemon.send_signal(signal.SIGTERM)
                err = daemon.communicate(timeout=15)[1]
            subprocess.run(["umount", "-l", mount], capture_output=True)
            fx.close()
        failing = [l for l in err.splitlines() if "No space left on device" in l]
        self.assertEqual(len(failing), 1, "logged once when writes begin failing:\n" + err)
        self.assertIn("records wait in memory", failing[0])
        self.assertEqual(err.count("spool writes succeed again"), 1, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
