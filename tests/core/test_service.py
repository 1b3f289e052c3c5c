"""test_service.py: what systemd sees of the daemon, and how it logs a failing feed.

sd_notify is received on a real datagram socket given as NOTIFY_SOCKET (libsystemd sends to
it as it would to systemd): READY once started, STATUS lines, RELOADING then READY around
SIGHUP, WATCHDOG pings at half of WATCHDOG_USEC, STOPPING on SIGTERM."""
import os
import signal
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
import subprocess  # noqa: E402


class Notify(unittest.TestCase):
    def test_ready_status_reload_watchdog_stopping(self):
        fx = Fixture()
        sock_path = os.path.join(fx.dir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(0.2)
        messages = []

        def collect(seconds):
            end = time.time() + seconds
            while time.time() < end:
                try:
                    messages.append(sock.recv(4096).decode())
                except socket.timeout:
                    pass

        try:
            fx.write_feeds("/feeds/frontier.atom")
            env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000")
            daemon = subprocess.Popen([BIN, "run", "-c", fx.config], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            collect(1.5)
            self.assertIn("READY=1", messages)
            self.assertTrue(any(m.startswith("STATUS=") and "feeds" in m for m in messages), messages)
            pings = sum(m == "WATCHDOG=1" for m in messages)
            self.assertGreaterEqual(pings, 3, "WATCHDOG=1 every 200 ms from the loop")
            before = len(messages)
            daemon.send_signal(signal.SIGHUP)
            collect(0.5)
            after_hup = [m for m in messages[before:] if m != "WATCHDOG=1"]
            reloading = [i for i, m in enumerate(after_hup) if m.startswith("RELOADING=1")]
            self.assertTrue(reloading, after_hup)
            self.assertIn("READY=1", after_hup[reloading[0]:])
            daemon.send_signal(signal.SIGTERM)
            collect(0.5)
            daemon.communicate(timeout=15)
            self.assertEqual(daemon.returncode, 0)
            self.assertIn("STOPPING=1", messages)
        finally:
            sock.close()
            fx.close()


class FailingFeedLog(unittest.TestCase):
    def test_a_repeated_error_is_logged_once_per_change(self):
        fx = Fixture()
        try:
            fx.write_config(poll_interval="1s", max_backoff="1s")
            fx.write_feeds("/feeds/missing.xml")
            daemon = fx.start_daemon()
            fx.wait_for(lambda: len([r for r in fx.requests() if "/feeds/missing.xml" in r]) >= 4,
                        what="four polls of the failing feed")
            # The feed comes back: one recovery line.
            os.makedirs(os.path.join(fx.www, "feeds"), exist_ok=True)
            with open(os.path.join(fx.www, "feeds", "south-asia.xml")) as src, \
                    open(os.path.join(fx.www, "feeds", "missing.xml"), "w") as dst:
                dst.write(src.read())
            fx.wait_for(lambda: len(fx.records()) == 4, what="records once the feed is back")
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=15)
            failures = [l for l in err.splitlines() if " warning feed poll failed " in l]
            self.assertEqual(len(failures), 1, err)
            self.assertIn("status=404", failures[0])
            self.assertEqual(len([l for l in err.splitlines() if "feed recovered" in l]), 1, err)
        finally:
            fx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
