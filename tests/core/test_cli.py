"""test_cli.py: the command line: help for every command, usage errors and their "did you
mean", `check` (every problem as FILE:LINE: reason, what `run` refuses), paths relative to
the configuration file, and `systemd-analyze verify` on the shipped unit."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE  # noqa: E402

COMMANDS = ["run", "once", "demo", "check", "parse-feed", "discover", "extract", "tag", "spool",
            "import-opml", "export-opml", "feeds", "items", "poll"]


def feedspool(*args, **kw):
    return subprocess.run([os.path.abspath(BIN), *args], capture_output=True, text=True,
                          timeout=30, **kw)


class Help(unittest.TestCase):
    def test_help_lists_every_command(self):
        result = feedspool("help")
        self.assertEqual(result.returncode, 0)
        for name in COMMANDS:
            self.assertIn(name, result.stdout)

    def test_each_command_describes_itself(self):
        for name in COMMANDS:
            for form in ([name, "--help"], ["help", name]):
                result = feedspool(*form)
                self.assertEqual(result.returncode, 0, (form, result.stderr))
                self.assertIn("Usage: feedspool " + name, result.stdout, form)

    def test_config_help_comes_from_the_option_table(self):
        result = feedspool("help", "config")
        self.assertEqual(result.returncode, 0)
        for option in ["spool", "state", "max_per_host", "transfer_timeout", "user_agent"]:
            self.assertIn(option, result.stdout)

    def test_readme_options_table_lists_every_option(self):
        """The README's configuration table names every option of the table, and no other."""
        result = feedspool("help", "config")
        options = set(re.findall(r"^  ([a-z_]+) ", result.stdout, re.M))
        self.assertGreater(len(options), 30)
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme[readme.index("### Configuration"):]
        section = section[:section.index("\n### ", 1)]
        documented = set(re.findall(r"^\| ([a-z_]+) \|", section, re.M)) - {"option"}  # the header
        self.assertEqual(options - documented, set(), "options missing from the README's table")
        self.assertEqual(documented - options, set(), "README rows for options that do not exist")

    def test_unknown_command_and_argument(self):
        result = feedspool("frobnicate")
        self.assertEqual(result.returncode, 2)
        self.assertNotIn("did you mean", result.stderr)
        result = feedspool("once", "--bogus")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown argument '--bogus'", result.stderr)

    def test_a_typo_gets_did_you_mean(self):
        result = feedspool("onec")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown command 'onec' (did you mean once?)", result.stderr)
        result = feedspool("chekc", "--help")
        self.assertIn("(did you mean check?)", result.stderr)
        result = feedspool("once", "--feds", "x")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown argument '--feds' (did you mean --feeds?)", result.stderr)
        result = feedspool("once", "--set", "poll_intervl=5m")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown option 'poll_intervl' (did you mean poll_interval?)", result.stderr)

    def test_once_documents_its_exit_codes(self):
        result = feedspool("help", "once")
        for line in ["0  every feed polled answered", "3  some feeds failed",
                     "4  every feed polled failed", "5  the state database is in use"]:
            self.assertIn(line, result.stdout)


class Extract(unittest.TestCase):
    def test_a_page_over_50_mb_is_refused_before_parsing(self):
        with tempfile.NamedTemporaryFile(suffix=".html") as page:
            page.write(b"<html><body>" + b"<p>words and more words</p>" * (2 * 1024 * 1024))
            page.flush()
            result = feedspool("extract", page.name)
        self.assertEqual(result.returncode, 1)
        self.assertIn("larger than 52428800 bytes", result.stderr)


class Check(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="feedspool-check-")
        self.feeds = os.path.join(self.dir, "feeds.txt")
        with open(self.feeds, "w") as f:
            f.write("https://a.example/feed.xml\n")
        self.conf = os.path.join(self.dir, "feedspool.conf")
        self.write_conf()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write_conf(self, extra=""):
        with open(self.conf, "w") as f:
            f.write("feeds = %s\ntopics = %s\n%s" % (
                self.feeds, os.path.join(SOURCE, "topics", "default-topics.json"), extra))
        # spool and state are given on the command line (check_ takes them), so that the
        # line numbers of the file stay those the tests write
        self.paths = ["--spool", os.path.join(self.dir, "spool"),
                      "--state", os.path.join(self.dir, "state.db")]

    def check_(self, *args):
        return feedspool("check", "-c", self.conf, *self.paths, *args)

    def test_valid_configuration(self):
        result = self.check_()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("1 feeds", result.stdout)
        self.assertIn("configuration ok", result.stdout)

    def test_unknown_option_names_file_and_line(self):
        self.write_conf("# comment\nmax_per_hots = 3\n")
        result = self.check_()
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.conf + ":4: unknown option 'max_per_hots'", result.stderr)

    def test_out_of_range_value(self):
        self.write_conf("max_per_host = 0\n")
        result = self.check_()
        self.assertEqual(result.returncode, 1)
        self.assertIn(":3: max_per_host = 0 is outside", result.stderr)

    def test_bad_feed_list_line(self):
        with open(self.feeds, "a") as f:
            f.write("gopher://old.example/\n")
        result = self.check_()
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.feeds + ":2:", result.stderr)

    def test_bad_topic_rules(self):
        rules = os.path.join(self.dir, "topics.json")
        with open(rules, "w") as f:
            f.write('{\n  "topics": [\n    {"id": "x",\n')
        result = self.check_("--topics", rules)
        self.assertEqual(result.returncode, 1)
        self.assertIn(rules + ":", result.stderr)


    def test_every_problem_is_listed_as_file_line_reason(self):
        with open(self.feeds, "a") as f:
            f.write("gopher://old.example/\n")
        self.write_conf("max_per_host = 0\nlog_levle = info\nallow_networks = 10.0.0.0/33\n"
                        "metrics_address = 0.0.0.0:http\n")
        result = self.check_()
        self.assertEqual(result.returncode, 1)
        problems = result.stderr.splitlines()
        self.assertEqual(problems[-1], "feedspool check: 5 problems found", result.stderr)
        self.assertTrue(problems[0].startswith(self.conf + ":3: max_per_host = 0 is outside"))
        self.assertEqual(problems[1], self.conf + ":4: unknown option 'log_levle' "
                                                 "(did you mean log_level?)")
        self.assertTrue(problems[2].startswith(self.conf + ":6: metrics_address: "))
        self.assertTrue(problems[3].startswith(self.conf + ":5: allow_networks: "), problems[3])
        self.assertTrue(problems[4].startswith(self.feeds + ":2: "), problems[4])

    def test_check_refuses_the_metrics_address_run_refuses(self):
        self.write_conf("metrics_address = 127.0.0.1:99999\n")
        check = self.check_()
        self.assertEqual(check.returncode, 1)
        run = feedspool("run", "-c", self.conf, *self.paths)
        self.assertEqual(run.returncode, 2)
        reason = (self.conf + ":3: metrics_address: '127.0.0.1:99999': the port must be a number "
                  "from 1 to 65535")
        self.assertIn(reason, check.stderr)
        self.assertIn(reason, run.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state.db")), "run did not start")

    def test_check_refuses_the_sinks_run_refuses(self):
        self.write_conf("webhook_url = ftp://user:secret@example.org/in\n"
                        "jsonl_file = /nonexistent-dir/records.jsonl\n")
        check = self.check_()
        self.assertEqual(check.returncode, 1)
        run = feedspool("run", "-c", self.conf, *self.paths)
        self.assertEqual(run.returncode, 2)
        reason = self.conf + ":3: webhook_url: 'ftp://example.org/in' is not an http:// or https:// URL"
        self.assertIn(reason, check.stderr)
        self.assertIn(reason, run.stderr)
        self.assertNotIn("secret", check.stderr + run.stderr)
        self.assertIn(self.conf + ":4: jsonl_file: /nonexistent-dir/records.jsonl: its folder does "
                      "not exist", check.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state.db")), "run did not start")

    def test_check_refuses_a_jsonl_file_that_is_a_folder(self):
        folder = os.path.join(self.dir, "records")
        os.mkdir(folder)
        self.write_conf("log_level = warn\njsonl_file = %s\n" % folder)
        check = self.check_()
        self.assertEqual(check.returncode, 1)
        self.assertIn("%s:4: jsonl_file: %s: is a folder, not a file" % (self.conf, folder),
                      check.stderr)
        run = feedspool("run", "-c", self.conf, *self.paths)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("cannot open %s: Is a directory" % folder, run.stderr)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("mount"),
                         "mounting a ramfs (a file system without user xattrs) needs root")
    def test_check_refuses_several_sinks_without_user_xattrs(self):
        ramfs = os.path.join(self.dir, "ramfs")
        os.mkdir(ramfs)
        if subprocess.run(["mount", "-t", "ramfs", "none", ramfs]).returncode != 0:
            self.skipTest("cannot mount a ramfs here")
        try:
            self.write_conf("log_level = warn\njsonl_file = %s/records.jsonl\n"
                            "webhook_url = http://127.0.0.1:9/hook\n" % self.dir)
            self.paths[1] = os.path.join(ramfs, "spool")
            check = self.check_()
            self.assertEqual(check.returncode, 1, check.stderr)
            self.assertIn("--spool: spool: %s: cannot set a user extended attribute (Operation not "
                          "supported): more than one sink needs them" % ramfs, check.stderr)
            run = feedspool("run", "-c", self.conf, *self.paths)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn("cannot set a user extended attribute (Operation not supported): more "
                          "than one sink needs them", run.stderr)
            self.write_conf("log_level = warn\njsonl_file = %s/records.jsonl\n" % self.dir)
            self.paths[1] = os.path.join(ramfs, "spool")
            one = self.check_()
            self.assertEqual(one.returncode, 0, "one sink needs no marks: " + one.stderr)
        finally:
            subprocess.run(["umount", ramfs])

    def test_missing_files_point_at_the_line_naming_them(self):
        with open(self.conf, "w") as f:
            f.write("# x\nfeeds = nowhere.txt\ntopics = %s\ncredentials = creds\n"
                    "nats_servers = nats://127.0.0.1:4222\nnats_credentials = my.creds\n" %
                    os.path.join(SOURCE, "topics", "default-topics.json"))
        result = self.check_("--state", "/nonexistent-dir/state.db")
        self.assertEqual(result.returncode, 1)
        self.assertIn("%s:2: feeds: %s/nowhere.txt: cannot open" % (self.conf, self.dir),
                      result.stderr)
        self.assertIn("%s:4: credentials: %s/creds: " % (self.conf, self.dir), result.stderr)
        self.assertIn("%s:6: nats_credentials: %s/my.creds: No such file" % (self.conf, self.dir),
                      result.stderr)
        self.assertIn("--state: state: /nonexistent-dir/state.db: its folder does not exist",
                      result.stderr)

    def test_relative_paths_are_taken_from_the_configuration_folder(self):
        os.mkdir(os.path.join(self.dir, "lists"))
        shutil.move(self.feeds, os.path.join(self.dir, "lists", "feeds.txt"))
        with open(self.conf, "w") as f:
            f.write("feeds = lists/feeds.txt\ntopics = %s\nspool = spool\nstate = state.db\n"
                    "log_level = warn\n" % os.path.join(SOURCE, "topics", "default-topics.json"))
        result = feedspool("check", "-c", self.conf, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("feed list %s/lists/feeds.txt: 1 feeds" % self.dir, result.stdout)

    def test_feed_topic_not_in_rules(self):
        with open(self.feeds, "a") as f:
            f.write("https://b.example/feed.xml topics=ttp,cricket\n")
        result = self.check_()
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.feeds + ":2: topic 'cricket' is not defined", result.stderr)


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>reader export</title></head><body>
<outline text="Pakistan">
  <outline text="Dawn" title="Dawn" type="rss" xmlUrl="https://www.dawn.example/feeds/home"/>
  <outline text="Express Tribune" type="rss" xmlUrl="https://tribune.example/feed/"/>
</outline>
<outline text="already there" xmlUrl="https://a.example/feed.xml"/>
<outline text="mail" xmlUrl="mailto:someone@example.com"/>
</body></opml>
"""


class Opml(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="feedspool-opml-")
        self.feeds = os.path.join(self.dir, "feeds.txt")
        with open(self.feeds, "w") as f:
            f.write("# my feeds\nhttps://a.example/feed.xml name=Mine interval=5m\n")
        self.opml = os.path.join(self.dir, "subs.opml")
        with open(self.opml, "w") as f:
            f.write(OPML)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_import_appends_new_feeds_and_keeps_the_file(self):
        dry = feedspool("import-opml", self.opml, "--feeds", self.feeds, "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("would add 2 feeds", dry.stdout)
        with open(self.feeds) as f:
            self.assertEqual(f.read().count("\n"), 2)  # unchanged by --dry-run
        result = feedspool("import-opml", self.opml, "--feeds", self.feeds)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("added 2 feeds", result.stdout)
        self.assertIn("1 already listed, 1 outline skipped", result.stdout)
        with open(self.feeds) as f:
            text = f.read()
        self.assertTrue(text.startswith("# my feeds\nhttps://a.example/feed.xml name=Mine interval=5m\n"))
        self.assertIn("https://www.dawn.example/feeds/home name=Dawn\n", text)
        self.assertIn('https://tribune.example/feed/ name="Express Tribune"\n', text)
        self.assertEqual(feedspool("check", "--feeds", self.feeds, "--topics",
                                   os.path.join(SOURCE, "topics", "default-topics.json"),
                                   "--spool", os.path.join(self.dir, "spool"),
                                   "--state", os.path.join(self.dir, "state.db")).returncode, 0)
        again = feedspool("import-opml", self.opml, "--feeds", self.feeds)
        self.assertIn("added 0 feeds", again.stdout)
        self.assertEqual(os.listdir(self.dir).count("feeds.txt"), 1)
        self.assertEqual([n for n in os.listdir(self.dir) if ".tmp" in n], [])

    def test_import_says_which_outlines_are_pages(self):
        pages = os.path.join(self.dir, "pages.opml")
        with open(pages, "w") as f:
            f.write('<opml version="2.0" xmlns:feedspool="urn:feedspool:opml"><body>'
                    '<outline text="A site" htmlUrl="https://site.example/"/>'
                    '<outline text="Maps" xmlUrl="https://maps.example/news.xml" '
                    'feedspool:sitemap="yes"/></body></opml>')
        result = feedspool("import-opml", pages, "--feeds", self.feeds)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("added 2 feeds", result.stdout)
        self.assertIn("1 outline named a site's page (htmlUrl) and no feed: the daemon polls the "
                      "feed each page advertises", result.stdout)
        with open(self.feeds) as f:
            text = f.read()
        self.assertIn('https://site.example/ name="A site"\n', text)
        self.assertIn("https://maps.example/news.xml name=Maps sitemap=yes\n", text)
        exported = feedspool("export-opml", "--feeds", self.feeds)
        self.assertIn('feedspool:sitemap="yes"', exported.stdout)

    def test_export_round_trips(self):
        result = feedspool("export-opml", "--feeds", self.feeds)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('xmlUrl="https://a.example/feed.xml"', result.stdout)
        self.assertIn('feedspool:interval="300"', result.stdout)
        exported = os.path.join(self.dir, "out.opml")
        with open(exported, "w") as f:
            f.write(result.stdout)
        other = os.path.join(self.dir, "other.txt")
        open(other, "w").close()
        self.assertEqual(feedspool("import-opml", exported, "--feeds", other).returncode, 0)
        with open(other) as f:
            self.assertIn("https://a.example/feed.xml name=Mine interval=300s\n", f.read())

    def test_not_opml_is_an_error(self):
        with open(self.opml, "w") as f:
            f.write("<rss version='2.0'><channel/></rss>")
        result = feedspool("import-opml", self.opml, "--feeds", self.feeds)
        self.assertEqual(result.returncode, 1)
        self.assertIn("not an OPML document", result.stderr)


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.analyze = shutil.which("systemd-analyze")
        if not self.analyze:
            self.skipTest("systemd-analyze is not installed")
        self.dir = tempfile.TemporaryDirectory()
        with open(os.path.join(SOURCE, "systemd", "feedspool.service")) as f:
            unit = f.read().replace("/usr/bin/feedspool", os.path.abspath(BIN))
        self.unit = os.path.join(self.dir.name, "feedspool.service")
        with open(self.unit, "w") as f:
            f.write(unit)

    def tearDown(self):
        self.dir.cleanup()

    def test_unit_verifies(self):
        # Documentation= names the man pages: the build's (build/man/man1, man5) are found.
        env = dict(os.environ, MANPATH=os.path.join(os.path.dirname(os.path.abspath(BIN)), "man"))
        result = subprocess.run([self.analyze, "verify", self.unit], capture_output=True,
                                text=True, timeout=60, env=env)
        problems = [l for l in result.stderr.splitlines() if "feedspool.service" in l]
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(problems, [], result.stderr)

    def test_security_exposure_at_most_1_5(self):
        result = subprocess.run([self.analyze, "security", "--offline=true", self.unit],
                                capture_output=True, text=True, timeout=60)
        match = re.search(r"Overall exposure level for feedspool.service: ([0-9.]+)", result.stdout)
        self.assertIsNotNone(match, result.stdout + result.stderr)
        self.assertLessEqual(float(match.group(1)), 1.5, result.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
