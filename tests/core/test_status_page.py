"""test_status_page.py: the HTML status page on the metrics address, seen in a real browser.

A running daemon polls three feeds over loopback: one good, one answering 404 (listed with a
password in its URL), and one whose item and page carry a hostile title (a script tag). The
page is loaded by headless Chromium (Debian's chromium) and the test reads the DOM it built:
the feed rows with their states and the error, the password redacted, a record's title and
topics, the hostile title shown as text and its script never run. Then /readyz and the
metrics: 503 with its reason when every feed fails and while the spool is full (ready again
once a consumer empties it), items waiting for their page counted from the state; and the
ring keeps the last 20 records, newest first, in the order the log says they were written.
FEEDSPOOL_SCREENSHOT=FILE also saves a screenshot of the page (docs/status-page.png)."""
import html
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Fixture  # noqa: E402
from natsserver import free_port  # noqa: E402

HOSTILE = "Truce <script>document.body.setAttribute('data-pwned','1')</script> & talks"

HOSTILE_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Hostile desk</title><link>{{BASE}}/</link>
<description>x</description>
<item><title>%s</title><link>{{BASE}}/pages/hostile.html</link><guid>hostile-1</guid>
<description>Talks.</description></item>
</channel></rss>
""" % html.escape(HOSTILE)

CHROMIUM = shutil.which("chromium")


def chromium(url, *extra):
    """The DOM headless Chromium builds from url (scripts allowed to run, if any were let in)."""
    profile = tempfile.mkdtemp(prefix="feedspool-chromium-")
    try:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + profile, *extra, url],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0:
        raise AssertionError("chromium failed: %s" % result.stderr[-2000:])
    return result.stdout


def rows(dom, table_id):
    """The text of each cell of each row of the table with that id (header row dropped)."""
    table = re.search(r'<table id="%s">(.*?)</table>' % table_id, dom, re.S)
    assert table, "no table %s in:\n%s" % (table_id, dom)
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out.append([html.unescape(re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return out


@unittest.skipUnless(CHROMIUM, "chromium is not installed (scripts/install-deps installs it)")
class StatusPageTest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        with open(os.path.join(self.fx.www, "feeds", "hostile.xml"), "w") as f:
            f.write(HOSTILE_FEED)
        with open(os.path.join(self.fx.www, "pages", "derby-truce.html")) as f:
            page = f.read()
        page = re.sub(r"<title>.*?</title>", "<title>%s</title>" % html.escape(HOSTILE), page, flags=re.S)
        page = re.sub(r"<h1([^>]*)>.*?</h1>", r"<h1\1>%s</h1>" % html.escape(HOSTILE).replace("\\", "\\\\"),
                      page, count=1, flags=re.S)
        with open(os.path.join(self.fx.www, "pages", "hostile.html"), "w") as f:
            f.write(page)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.fx.write_config(metrics_address="127.0.0.1:%d" % self.port)
        self.secret_url = self.fx.url("/feeds/missing.xml").replace("http://", "http://ops:hunter2@")
        with open(self.fx.feeds, "w") as f:
            f.write('%s name="Frontier <b>desk</b>"\n' % self.fx.url("/feeds/frontier.atom"))
            f.write("%s\n" % self.secret_url)
            f.write("%s\n" % self.fx.url("/feeds/hostile.xml"))

    def tearDown(self):
        self.fx.close()

    def test_the_page_shows_feeds_records_and_escapes_hostile_titles(self):
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == 4, what="4 records")
            with urllib.request.urlopen(self.base + "/", timeout=10) as r:
                self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
                source = r.read().decode()
            dom = chromium(self.base + "/", "--dump-dom")
            shot = os.environ.get("FEEDSPOOL_SCREENSHOT")
            if shot:
                chromium(self.base + "/", "--screenshot=" + os.path.abspath(shot),
                         "--window-size=1280,900")
            # Ready: fetching runs, no sink, two of the three feeds answer.
            with urllib.request.urlopen(self.base + "/readyz", timeout=10) as r:
                self.assertEqual(r.read().decode(), "ready\n")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)
        self.assertEqual(daemon.returncode, 0)

        # No external asset: nothing is loaded from anywhere but the page itself.
        self.assertNotRegex(source, r"<(script|link|img|iframe)\b")
        self.assertNotIn("hunter2", source)
        # The hostile title was shown as text; its script neither parsed nor run.
        self.assertNotIn("data-pwned", dom.split("<body", 1)[1].split(">", 1)[0])
        self.assertNotRegex(dom, r"<script\b")
        self.assertNotIn("<b>desk</b>", dom)

        feeds = {row[0]: row for row in rows(dom, "feeds")}
        frontier = next(v for k, v in feeds.items() if k.startswith("Frontier <b>desk</b>"))
        self.assertEqual(frontier[1], "ok")
        self.assertIn(self.fx.url("/feeds/frontier.atom"), frontier[0])
        self.assertRegex(frontier[4], r"^(\d+ s ago|now)$")  # last success
        self.assertRegex(frontier[5], r"in \d+ (min|h)")  # next poll, an hour away
        missing = next(v for k, v in feeds.items() if "missing.xml" in k)
        self.assertEqual(missing[1], "failing")
        self.assertNotIn("hunter2", missing[0])
        self.assertEqual(missing[2], "1")
        self.assertIn("404", missing[3])
        self.assertEqual(missing[4], "-")

        records = rows(dom, "records")
        self.assertEqual(len(records), 4)
        by_title = {row[1]: row for row in records}
        self.assertIn(HOSTILE, by_title)
        spooled = {r["id"]: r for r in self.fx.records().values()}
        for title, row in by_title.items():
            record = spooled[row[4]]
            self.assertEqual(record["title"], title)
            self.assertEqual(row[2], ", ".join(record["topic_ids"]))
            self.assertEqual(row[3], record["story"])
        self.assertTrue(any(row[2] for row in records), "no record with topics shown")
        self.assertIn("None configured", dom)  # the sink
        self.assertRegex(dom, r"<b[^>]*>4</b>records waiting in new/")
        self.assertRegex(dom, r"<b[^>]*>0</b>items waiting for their page")

    def test_readyz_lists_the_reasons_when_every_feed_fails(self):
        self.fx.write_feeds("/feeds/missing.xml", "/feeds/gone-too.xml")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(self.unready, what="/readyz answering 503")
            with urllib.request.urlopen(self.base + "/healthz", timeout=10) as r:
                self.assertEqual(r.read().decode(), "ok\n")  # alive all the same
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)
        self.assertEqual(self.body, "every feed is failing: 2 of 2\n")

    def test_readyz_and_the_metric_say_fetching_paused_while_the_spool_is_full(self):
        self.fx.write_config(metrics_address="127.0.0.1:%d" % self.port, spool_max_records="1")
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(self.unready, what="/readyz answering 503")
            self.assertEqual(self.body, "fetching paused: the spool is full (consumers are behind)\n")
            with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
                text = r.read().decode()
            self.assertIn('feedspool_fetching_paused{reason="spool_full"} 1\n', text)
            self.assertIn('feedspool_fetching_paused{reason="write_failure"} 0\n', text)
            # A consumer takes the records away as they come: fetching resumes (each record
            # written may fill the spool again for a moment), and the daemon is ready again.
            def consumed_and_ready():
                for name in os.listdir(os.path.join(self.fx.spool, "new")):
                    os.unlink(os.path.join(self.fx.spool, "new", name))
                return not self.unready()
            self.fx.wait_for(consumed_and_ready, timeout=60, what="/readyz answering 200")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)

    def test_items_waiting_for_their_page_are_counted(self):
        self.fx.write_config(metrics_address="127.0.0.1:%d" % self.port, fetch_pages="no")
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        try:
            def pending():
                try:
                    with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
                        return 'feedspool_items_pending 3\n' in r.read().decode()
                except OSError:
                    return False
            self.fx.wait_for(pending, what="3 items pending")
            with urllib.request.urlopen(self.base + "/status", timeout=10) as r:
                self.assertRegex(r.read().decode(), r"<b[^>]*>3</b>items waiting for their page")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)

    def test_the_last_twenty_records_are_listed_newest_first(self):
        words = ("council harbour river market school bridge budget league festival railway "
                 "museum hospital library election storm harvest factory airport stadium "
                 "orchestra").split()
        items = []
        for i in range(23):
            rnd = random.Random(i)
            paragraphs = "".join("<p>%s.</p>" % " ".join(rnd.choice(words) for _ in range(45))
                                 for _ in range(5))
            with open(os.path.join(self.fx.www, "pages", "many-%02d.html" % i), "w") as f:
                f.write("<!DOCTYPE html><html><head><title>Report %02d</title></head><body>"
                        "<article><h1>Report %02d</h1>%s</article></body></html>"
                        % (i, i, paragraphs))
            items.append("<item><title>Report %02d</title><link>{{BASE}}/pages/many-%02d.html</link>"
                         "<guid>many-%02d</guid></item>" % (i, i, i))
        with open(os.path.join(self.fx.www, "feeds", "many.xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>'
                    "<link>{{BASE}}/</link><description>x</description>%s</channel></rss>"
                    % "".join(items))
        self.fx.write_feeds("/feeds/many.xml")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == 23, what="23 records")
            dom = chromium(self.base + "/", "--dump-dom")
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, err = daemon.communicate(timeout=15)
        written = re.findall(r"record written record=(\w+)", err)  # in the order written
        self.assertEqual(sorted(written), sorted(r["id"] for r in self.fx.records().values()))
        self.assertEqual([row[4] for row in rows(dom, "records")], written[::-1][:20])

    def unready(self):
        """True when /readyz answers 503 (its body kept in self.body)."""
        try:
            urllib.request.urlopen(self.base + "/readyz", timeout=10).close()
        except urllib.error.HTTPError as e:
            self.body = e.read().decode()
            return e.code == 503
        except OSError:
            pass
        return False


if __name__ == "__main__":
    unittest.main()
