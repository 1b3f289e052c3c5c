"""test_package.py: what a packaged feedspool says about itself and installs.

--version (the CMake project() version, a git revision of this repository, the versions of
the libraries it runs with), the same version in the default User-Agent and in the
feedspool_build_info metric; the generated manual pages (every command, every option of
the option table); `make install` honouring DESTDIR and never replacing a file in /etc,
and `make uninstall`."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE, Fixture  # noqa: E402

BUILD = os.path.dirname(os.path.abspath(BIN))


def feedspool(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)


def project_version():
    with open(os.path.join(SOURCE, "CMakeLists.txt")) as f:
        return re.search(r"project\(feedspool VERSION ([0-9.]+)", f.read()).group(1)


def version_output():
    result = feedspool("--version")
    assert result.returncode == 0, result.stderr
    return result.stdout


class Version(unittest.TestCase):
    def test_version_revision_and_libraries(self):
        out = version_output()
        first = out.splitlines()[0]
        m = re.fullmatch(r"feedspool (\S+) \(git (\S+)\)", first)
        self.assertIsNotNone(m, out)
        self.assertEqual(m.group(1), project_version())
        revision = m.group(2)
        if subprocess.run(["git", "-C", SOURCE, "rev-parse"], capture_output=True).returncode == 0:
            commit = revision.removesuffix("-dirty")
            self.assertRegex(commit, r"^[0-9a-f]{12}$")
            found = subprocess.run(["git", "-C", SOURCE, "cat-file", "-e", commit + "^{commit}"],
                                   capture_output=True)
            self.assertEqual(found.returncode, 0, "%s is not a commit of %s" % (commit, SOURCE))
        # The running libraries, as their own pkg-config files name them (one machine).
        for name, module in [("libcurl", "libcurl"), ("libevent", "libevent"), ("jansson", "jansson"),
                             ("libxml2", "libxml-2.0"), ("SQLite", "sqlite3"), ("nats.c", "libnats")]:
            wanted = subprocess.run(["pkg-config", "--modversion", module], capture_output=True,
                                    text=True, check=True).stdout.strip()
            self.assertRegex(out, r"(?m)^%s %s( |$)" % (re.escape(name), re.escape(wanted)))

    def test_user_agent_and_build_info_metric(self):
        version = project_version()
        revision = re.search(r"\(git (\S+)\)", version_output()).group(1)
        fx = Fixture()
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            fx.write_config(metrics_address="127.0.0.1:%d" % port)
            fx.write_feeds("/feeds/frontier.atom")
            daemon = fx.start_daemon()
            try:
                fx.wait_for(lambda: len(fx.records()) == 3, what="3 records")
                text = subprocess.run(["curl", "-sf", "http://127.0.0.1:%d/metrics" % port],
                                      capture_output=True, text=True, timeout=10).stdout
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=15)
            self.assertIn("# TYPE feedspool_build_info gauge\n", text)
            self.assertIn('\nfeedspool_build_info{version="%s",revision="%s"} 1\n' % (version, revision),
                          text)
            agents = {re.search(r"feedspool/\S+", line).group(0) for line in fx.requests()
                      if "feedspool/" in line}
            self.assertEqual(agents, {"feedspool/" + version}, fx.requests())
        finally:
            fx.close()


class ManPages(unittest.TestCase):
    def page(self, name):
        with open(os.path.join(BUILD, "man", name)) as f:
            return f.read()

    def test_built_pages_are_what_the_binary_prints(self):
        self.assertEqual(self.page("feedspool.1"), feedspool("help", "--man").stdout)
        self.assertEqual(self.page("feedspool.conf.5"), feedspool("help", "config", "--man").stdout)

    def test_every_option_is_in_feedspool_conf_5(self):
        page = self.page("feedspool.conf.5")
        options = re.findall(r"^  (\w+) ", feedspool("help", "config").stdout, re.M)
        self.assertGreater(len(options), 30)
        for option in options:
            self.assertIn("\n.B %s\n" % option, page, option)
        self.assertEqual(len(re.findall(r"^\.TP\n\.B \w+\n", page.split(".SH FILES")[0], re.M)),
                         len(options))

    def test_every_command_signal_and_status_is_in_feedspool_1(self):
        page = self.page("feedspool.1")
        commands = re.findall(r"^  ([a-z-]+) ", feedspool("help").stdout, re.M)
        self.assertIn("publish", commands)
        for command in commands:
            self.assertIn("\n.SS %s\n" % command, page)
        self.assertIn("Usage: feedspool check", page)  # each command's own --help text
        for heading in ("SIGNALS", "EXIT STATUS", "FILES", "SEE ALSO"):
            self.assertIn("\n.SH %s\n" % heading, page)
        for word in ("SIGHUP", "SIGTERM"):
            self.assertIn(word, page.split(".SH SIGNALS")[1])

    def test_pages_render_without_warnings(self):
        for name in ("feedspool.1", "feedspool.conf.5"):
            result = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", os.path.join(BUILD, "man", name)],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual((result.returncode, result.stderr), (0, ""), name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
