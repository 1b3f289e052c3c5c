"""test_cli.py: the command line: help for every command, usage errors, `check`,
and `systemd-analyze verify` on the shipped unit."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE  # noqa: E402

COMMANDS = ["run", "once", "demo", "check", "parse-feed", "extract", "tag", "spool",
            "import-opml", "export-opml"]


def feedspool(*args, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30, **kw)


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
        self.assertEqual(feedspool("frobnicate").returncode, 2)
        result = feedspool("once", "--bogus")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown argument '--bogus'", result.stderr)


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

    def test_valid_configuration(self):
        result = feedspool("check", "-c", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("1 feeds", result.stdout)
        self.assertIn("configuration ok", result.stdout)

    def test_unknown_option_names_file_and_line(self):
        self.write_conf("# comment\nmax_per_hots = 3\n")
        result = feedspool("check", "-c", self.conf)
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.conf + ":4: unknown option 'max_per_hots'", result.stderr)

    def test_out_of_range_value(self):
        self.write_conf("max_per_host = 0\n")
        result = feedspool("check", "-c", self.conf)
        self.assertEqual(result.returncode, 1)
        self.assertIn(":3: max_per_host = 0 is outside", result.stderr)

    def test_bad_feed_list_line(self):
        with open(self.feeds, "a") as f:
            f.write("gopher://old.example/\n")
        result = feedspool("check", "-c", self.conf)
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.feeds + ":2:", result.stderr)

    def test_bad_topic_rules(self):
        rules = os.path.join(self.dir, "topics.json")
        with open(rules, "w") as f:
            f.write('{\n  "topics": [\n    {"id": "x",\n')
        result = feedspool("check", "-c", self.conf, "--topics", rules)
        self.assertEqual(result.returncode, 1)
        self.assertIn(rules + ":", result.stderr)


    def test_feed_topic_not_in_rules(self):
        with open(self.feeds, "a") as f:
            f.write("https://b.example/feed.xml topics=ttp,cricket\n")
        result = feedspool("check", "-c", self.conf)
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
                                   os.path.join(SOURCE, "topics", "default-topics.json")).returncode, 0)
        again = feedspool("import-opml", self.opml, "--feeds", self.feeds)
        self.assertIn("added 0 feeds", again.stdout)
        self.assertEqual(os.listdir(self.dir).count("feeds.txt"), 1)
        self.assertEqual([n for n in os.listdir(self.dir) if ".tmp" in n], [])

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
