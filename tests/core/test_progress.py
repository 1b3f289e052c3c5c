"""test_progress.py: long commands show their progress on a terminal and not elsewhere.

`feedspool import-opml` of 10,000 feeds under a real pseudo-terminal (python's pty module)
draws its progress line in place (\\r) with the count and the total and ends it with a
final line; with standard error on a pipe it writes no progress at all, and its standard
output (the summary) is the same either way."""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN  # noqa: E402


def write_opml(path, n):
    with open(path, "w") as f:
        f.write('<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>')
        for i in range(n):
            f.write('<outline type="rss" text="feed %d" xmlUrl="https://feed%d.example/rss"/>'
                    % (i, i))
        f.write("</body></opml>")


def run_on_terminal(argv):
    """Runs argv with standard error on a new pseudo-terminal; returns (status, stdout,
    what the terminal received)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal is gone
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read()
    proc.stdout.close()
    status = proc.wait(timeout=60)
    os.close(master)
    return status, out.decode(), seen.decode()


class ProgressOnTerminalOnly(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="feedspool-progress-")
        self.opml = os.path.join(self.dir, "big.opml")
        write_opml(self.opml, 10000)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def feeds_file(self, name):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("# empty\n")
        return path

    def test_import_opml_on_a_terminal(self):
        feeds = self.feeds_file("feeds-tty.txt")
        status, out, terminal = run_on_terminal([BIN, "import-opml", self.opml, "--feeds", feeds])
        self.assertEqual(status, 0, terminal)
        self.assertIn("added 10000 feeds", out)
        self.assertIn("\rfeeds compared with the list: 0/10000 (0%), ", terminal)
        self.assertIn("\rfeeds compared with the list: 10000/10000 (100%) in ", terminal)
        self.assertTrue(terminal.endswith("/s\r\n"), repr(terminal[-80:]))
        # Redrawn in place, not a line per feed.
        self.assertEqual(terminal.count("\n"), 1, repr(terminal[:400]))
        self.assertLess(terminal.count("\r"), 1000)

    def test_import_opml_on_a_pipe(self):
        feeds = self.feeds_file("feeds-pipe.txt")
        result = subprocess.run([BIN, "import-opml", self.opml, "--feeds", feeds],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("added 10000 feeds", result.stdout)
        self.assertEqual(result.stderr, "")


if __name__ == "__main__":
    unittest.main()
