"""test_package.py: what a packaged feedspool says about itself, installs and allows.

--version (the CMake project() version, a git revision of this repository, the versions of
the libraries it runs with), the same version in the default User-Agent and in the
feedspool_build_info metric; the generated manual pages (every command, every option of
the option table); bash completion; `make install` honouring DESTDIR and never replacing a
file in /etc, and `make uninstall`; and the spool as the systemd unit and tmpfiles.d set it
up: a daemon under its own uid writes records that a consumer of another uid, in the
daemon's group, claims (and one outside the group cannot)."""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
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
        with open(os.path.join(BUILD, "man", "man" + name[-1], name)) as f:
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
            result = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8",
                                     os.path.join(BUILD, "man", "man" + name[-1], name)],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual((result.returncode, result.stderr), (0, ""), name)


class BashCompletion(unittest.TestCase):
    def complete(self, *words):
        """COMPREPLY for the command line words (the last one being completed)."""
        script = ('source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _feedspool; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, PATH=BUILD + os.pathsep + os.environ["PATH"])
        result = subprocess.run(["bash", "-c", script,
                                 os.path.join(SOURCE, "packaging", "feedspool.bash-completion"),
                                 "feedspool", *words], capture_output=True, text=True, env=env,
                                timeout=60)
        self.assertEqual(result.stderr, "")
        return result.stdout.split()

    def test_commands_options_and_keys_come_from_the_binary(self):
        self.assertEqual(self.complete("im"), ["import-opml"])
        self.assertIn("publish", self.complete(""))
        self.assertIn("--config", self.complete("run", "--c"))
        self.assertEqual(self.complete("run", "--set", "max_per"), ["max_per_host="])
        self.assertEqual(self.complete("help", "con"), ["config"])


class Install(unittest.TestCase):
    """make install into a DESTDIR, twice, with an edit in between; then make uninstall."""

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="feedspool-install-")

    def tearDown(self):
        shutil.rmtree(self.dest, ignore_errors=True)

    def make(self, target):
        # Against the tested build: its install prefix is what `make build` configured.
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            prefix = re.search(r"^CMAKE_INSTALL_PREFIX:PATH=(.*)$", f.read(), re.M).group(1)
        return subprocess.run(["make", "-s", "-C", SOURCE, target, "BUILD=" + BUILD, "DESTDIR=" + self.dest,
                               "PREFIX=" + prefix] + (["-o", "build"] if target == "install" else []),
                              capture_output=True, text=True, timeout=300)

    def test_etc_is_never_overwritten_and_uninstall_removes_the_rest(self):
        result = self.make("install")
        self.assertEqual(result.returncode, 0, result.stderr)
        etc = os.path.join(self.dest, "etc")
        conffiles = ["feedspool/feedspool.conf", "feedspool/feeds.txt", "feedspool/topics.json",
                     "default/feedspool"]
        for name in conffiles:
            self.assertTrue(os.path.isfile(os.path.join(etc, name)), name)
        installed = [os.path.relpath(os.path.join(d, f), self.dest)
                     for d, _, files in os.walk(self.dest) for f in files]
        for wanted in ("bin/feedspool", "man1/feedspool.1", "man5/feedspool.conf.5",
                       "bash-completion/completions/feedspool", "sysusers.d/feedspool.conf",
                       "tmpfiles.d/feedspool.conf", "system/feedspool.service"):
            self.assertTrue(any(path.endswith(wanted) for path in installed), (wanted, installed))
        feeds = os.path.join(etc, "feedspool", "feeds.txt")
        with open(feeds, "a") as f:
            f.write('https://example.org/feed.xml name="grown with import-opml"\n')
        os.remove(os.path.join(etc, "feedspool", "topics.json"))
        result = self.make("install")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(feeds) as f:
            self.assertIn("grown with import-opml", f.read())
        self.assertTrue(os.path.isfile(os.path.join(etc, "feedspool", "topics.json")), "absent: installed")

        result = self.make("uninstall")
        self.assertEqual(result.returncode, 0, result.stderr)
        left = sorted(os.path.relpath(os.path.join(d, f), self.dest)
                      for d, _, files in os.walk(self.dest) for f in files)
        self.assertEqual(left, sorted("etc/" + name for name in conffiles))


def unit_setting(name):
    with open(os.path.join(SOURCE, "systemd", "feedspool.service")) as f:
        return re.findall(r"^%s=(.*)$" % name, f.read(), re.M)


@unittest.skipUnless(os.geteuid() == 0, "needs root to run the daemon and consumers as other uids")
class GroupConsumer(unittest.TestCase):
    """The daemon, run as the unit runs it (its own uid and group, the unit's UMask, a spool
    folder made as tmpfiles.d makes it), and consumers of other uids."""
    DAEMON, GROUP, MEMBER, OUTSIDER = 64301, 64300, 64302, 64303

    def setUp(self):
        self.fx = Fixture()
        self.root = tempfile.mkdtemp(prefix="feedspool-group-")
        os.chmod(self.root, 0o755)
        # What the daemon reads, where its uid can read it (the clone may sit in a 0700 folder).
        self.bin = os.path.join(self.root, "feedspool")
        shutil.copy(BIN, self.bin)
        topics = os.path.join(self.root, "topics.json")
        shutil.copy(os.path.join(SOURCE, "topics", "default-topics.json"), topics)
        feeds = os.path.join(self.root, "feeds.txt")
        with open(feeds, "w") as f:
            f.write(self.fx.url("/feeds/frontier.atom") + "\n")
        os.chmod(self.fx.dir, 0o755)
        # The spool as tmpfiles.d/feedspool.conf makes it; the state in a folder of the daemon's.
        with open(os.path.join(SOURCE, "systemd", "feedspool.tmpfiles")) as f:
            mode = int(re.search(r"^d /var/lib/feedspool/spool (\d+) feedspool feedspool", f.read(),
                                 re.M).group(1), 8)
        self.spool = os.path.join(self.root, "spool")
        os.mkdir(self.spool)
        os.chown(self.spool, self.DAEMON, self.GROUP)
        os.chmod(self.spool, mode)
        state = os.path.join(self.root, "state")
        os.mkdir(state, 0o700)
        os.chown(state, self.DAEMON, self.GROUP)
        self.fx.write_config(spool=self.spool, state=os.path.join(state, "state.db"), topics=topics,
                             feeds=feeds)
        os.chmod(self.fx.config, 0o644)

    def tearDown(self):
        self.fx.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def as_user(self, uid, gid, groups, code):
        return subprocess.run([sys.executable, "-c", code, self.spool], user=uid, group=gid,
                              extra_groups=groups, capture_output=True, text=True, timeout=60)

    def test_a_member_of_the_group_claims_a_record_and_an_outsider_cannot(self):
        self.assertEqual(unit_setting("User"), ["feedspool"])
        self.assertEqual(unit_setting("Group"), ["feedspool"])
        self.assertEqual(unit_setting("DynamicUser"), [])
        umask = int(unit_setting("UMask")[0], 8)
        result = subprocess.run([self.bin, "once", "-c", self.fx.config], user=self.DAEMON,
                                group=self.GROUP, extra_groups=[], umask=umask,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        new, cur = os.path.join(self.spool, "new"), os.path.join(self.spool, "cur")
        names = sorted(os.listdir(new))
        self.assertEqual(len(names), 3)
        for folder in (new, cur):
            st = os.stat(folder)
            self.assertEqual((st.st_uid, st.st_gid), (self.DAEMON, self.GROUP), folder)
            self.assertTrue(st.st_mode & stat.S_ISGID and st.st_mode & 0o070 == 0o070, oct(st.st_mode))

        claim = ("import json, os, sys\n"
                 "spool = sys.argv[1]\n"
                 "name = sorted(os.listdir(os.path.join(spool, 'new')))[0]\n"
                 "os.rename(os.path.join(spool, 'new', name), os.path.join(spool, 'cur', name))\n"
                 "print(json.load(open(os.path.join(spool, 'cur', name)))['id'])\n")
        outsider = self.as_user(self.OUTSIDER, self.OUTSIDER, [], claim)
        self.assertNotEqual(outsider.returncode, 0)
        self.assertIn("PermissionError", outsider.stderr)
        member = self.as_user(self.MEMBER, self.MEMBER, [self.GROUP], claim)
        self.assertEqual(member.returncode, 0, member.stderr)
        self.assertEqual(sorted(os.listdir(cur)), names[:1])
        with open(os.path.join(cur, names[0])) as f:
            self.assertEqual(member.stdout.strip(), json.load(f)["id"])
        self.assertEqual(os.stat(os.path.join(cur, names[0])).st_gid, self.GROUP)

    def test_root_is_refused_on_the_services_state(self):
        # once, retry and poll run as root on the daemon user's state would leave root's
        # files (the lock file, the database's -wal and -shm, records) the service cannot
        # write: each refuses, names the sudo line, and leaves nothing behind; a poll through
        # the running service is still taken.
        state_dir = os.path.join(self.root, "state")
        feed = self.fx.url("/feeds/frontier.atom")
        for args in (["once"], ["retry", "--all"], ["poll", feed]):
            result = subprocess.run([self.bin, *args, "-c", self.fx.config], capture_output=True,
                                    text=True, timeout=60)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("belongs to user #%d" % self.DAEMON, result.stderr)
            self.assertIn("sudo -u #%d feedspool %s ..." % (self.DAEMON, args[0]), result.stderr)
            self.assertEqual(os.listdir(state_dir), [], args)
            self.assertEqual(os.listdir(self.spool), [], args)
        # The service's own runs are unaffected: once, then retry and poll as that user.
        for args in (["once"], ["retry", "--all"], ["poll", feed]):
            result = subprocess.run([self.bin, *args, "-c", self.fx.config], user=self.DAEMON,
                                    group=self.GROUP, extra_groups=[], capture_output=True,
                                    text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
        # With the service running, root's poll goes through it: the daemon writes the files.
        daemon = subprocess.Popen([self.bin, "run", "-c", self.fx.config], user=self.DAEMON,
                                  group=self.GROUP, extra_groups=[], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            self.fx.wait_for(lambda: os.path.exists(os.path.join(state_dir, "state.db.sock")),
                             timeout=60, what="the daemon's control socket")
            result = subprocess.run([self.bin, "poll", feed, "-c", self.fx.config],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=60)
        for folder in (state_dir, self.spool):
            for top, dirs, files in os.walk(folder):
                for name in dirs + files:
                    self.assertEqual(os.stat(os.path.join(top, name)).st_uid, self.DAEMON, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
