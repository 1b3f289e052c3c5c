"""test_valgrind.py: one full `feedspool once` over good and broken feeds under valgrind's
memcheck, one publishing its records to a real JetStream server (libnats' threads
included), one through all three sinks at once (a JSON Lines file, a webhook receiver on
loopback answering 500 at first, JetStream), the daemon answering `feedspool poll` on its
control socket while retention prunes sent/ and rotates sources.jsonl, and `poll` on its own:
no invalid access, no uninitialised use, and no leak of any kind."""
import datetime
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402
import natsserver  # noqa: E402




MEMCHECK = ["--leak-check=full", "--show-leak-kinds=all",
            "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99"]


class Memcheck(unittest.TestCase):
    def assert_clean_report(self, log):
        with open(log) as f:
            report = f.read()
        self.assertIn("ERROR SUMMARY: 0 errors", report, report[-4000:])
        self.assertIn("All heap blocks were freed", report, report[-4000:])

    def assert_clean_once(self, valgrind, fx, status=0):
        """`feedspool once` under memcheck: exit status, no error, every block freed."""
        log = os.path.join(fx.dir, "valgrind.log")
        result = subprocess.run(
            [valgrind, "--leak-check=full", "--show-leak-kinds=all",
             "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99",
             "--log-file=" + log, BIN, "once", "-c", fx.config], capture_output=True, text=True,
            timeout=300)
        with open(log) as f:
            report = f.read()
        self.assertEqual(result.returncode, status, report[-4000:])
        self.assertIn("ERROR SUMMARY: 0 errors", report)
        self.assertIn("All heap blocks were freed", report)

    def test_once_is_clean_under_memcheck(self):
        valgrind = shutil.which("valgrind")
        if not valgrind:
            self.skipTest("valgrind is not installed (scripts/install-deps installs it)")
        fx = Fixture()
        try:
            fx.write_config(article_attempts="1", transfer_timeout="2s", low_speed_time="1s")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom", "/feeds/troubles.xml",
                           "/feeds/not-xml.xml", "/feeds/missing.xml", "/hang/feed.xml")
            self.assert_clean_once(valgrind, fx, status=3)  # some feeds failed
            # 4 + 3 pages, and 3 troubled items written from their feed text (one attempt each).
            self.assertEqual(len(fx.records()), 10)
        finally:
            fx.close()

    def test_sitemaps_and_pages_are_clean_under_memcheck(self):
        """A sitemap index naming a gzip news sitemap, and a homepage advertising its feed."""
        valgrind = shutil.which("valgrind")
        if not valgrind:
            self.skipTest("valgrind is not installed (scripts/install-deps installs it)")
        fx = Fixture()
        try:
            recent = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            os.makedirs(os.path.join(fx.www, "maps"))
            news = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>%s</loc>'
                    '<news:news><news:publication_date>%s</news:publication_date>'
                    '<news:title>Derby truce</news:title></news:news></url></urlset>\n'
                    % (fx.url("/pages/derby-truce.html"), recent))
            with open(os.path.join(fx.www, "maps", "news.xml.gz"), "wb") as f:
                f.write(gzip.compress(news.encode()))
            with open(os.path.join(fx.www, "maps", "index.xml"), "w") as f:
                f.write('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        '<sitemap><loc>news.xml.gz</loc><lastmod>%s</lastmod></sitemap>'
                        '<sitemap><loc>/maps/missing.xml</loc></sitemap></sitemapindex>\n' % recent)
            with open(os.path.join(fx.www, "home.html"), "w") as f:
                f.write('<html><head><link rel="alternate" type="application/atom+xml" '
                        'href="/feeds/frontier.atom"></head><body>Home</body></html>\n')
            fx.write_feeds("/maps/index.xml", "/home.html")
            self.assert_clean_once(valgrind, fx)
            self.assertEqual(len(fx.records()), 4)  # the sitemap's article, the feed's three
        finally:
            fx.close()

    def test_once_with_jetstream_is_clean_under_memcheck(self):
        valgrind = shutil.which("valgrind")
        if not valgrind or not natsserver.available():
            self.skipTest("valgrind or nats-server is not installed (scripts/install-deps installs both)")
        fx = Fixture()
        nats = natsserver.NatsServer(fx.dir)
        try:
            nats.create_stream("ARTICLES", "feedspool.articles.>")
            fx.write_config(nats_servers=nats.url, nats_stream="ARTICLES")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.assert_clean_once(valgrind, fx)
            self.assertEqual(len(set(m[1].split(":")[0] for m in nats.messages("ARTICLES"))), 7)
        finally:
            nats.stop()
            fx.close()

    def test_once_with_three_sinks_is_clean_under_memcheck(self):
        valgrind = shutil.which("valgrind")
        if not valgrind or not natsserver.available():
            self.skipTest("valgrind or nats-server is not installed (scripts/install-deps installs both)")
        from test_sinks import Receiver
        fx = Fixture()
        nats = natsserver.NatsServer(fx.dir)
        receiver = Receiver(plan=["500"])
        try:
            nats.create_stream("ARTICLES", "feedspool.articles.>")
            jsonl = os.path.join(fx.dir, "records.jsonl")
            fx.write_config(nats_servers=nats.url, nats_stream="ARTICLES", jsonl_file=jsonl,
                            jsonl_rotate_bytes="8K", webhook_url=receiver.url, webhook_batch="2",
                            stop_timeout="60s")
            fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")
            self.assert_clean_once(valgrind, fx)
            self.assertEqual(len(os.listdir(os.path.join(fx.spool, "sent"))), 7)
            self.assertEqual(len(os.listdir(os.path.join(fx.spool, "new"))), 0)
        finally:
            receiver.close()
            nats.stop()
            fx.close()

    def test_poll_and_retention_are_clean_under_memcheck(self):
        valgrind = shutil.which("valgrind")
        if not valgrind:
            self.skipTest("valgrind is not installed (scripts/install-deps installs it)")
        fx = Fixture()
        try:
            sent = os.path.join(fx.spool, "sent")
            os.makedirs(sent)
            for i in range(5):
                path = os.path.join(sent, "old-%d.json" % i)
                with open(path, "w") as f:
                    f.write("{}")
                os.utime(path, (time.time() - 86400, time.time() - 86400))
            with open(os.path.join(fx.spool, "sources.jsonl"), "w") as f:
                f.write("x" * 2048)
            fx.write_config(sent_max_age="1h", sources_max_bytes="1K", retention_interval="1s")
            fx.write_feeds("/feeds/frontier.atom")
            log = os.path.join(fx.dir, "valgrind-run.log")
            daemon = subprocess.Popen([valgrind, *MEMCHECK, "--log-file=" + log, BIN, "run", "-c",
                                       fx.config], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True)
            try:
                fx.wait_for(lambda: len(fx.records()) == 3, timeout=240, what="3 records")
                polled = subprocess.run([BIN, "poll", fx.url("/feeds/frontier.atom"), "-c",
                                         fx.config], capture_output=True, text=True, timeout=240)
                self.assertEqual(polled.returncode, 0, polled.stderr)
                self.assertIn(": status=304 new_items=0\n", polled.stdout)  # (its ETag)
                self.assertEqual(os.listdir(sent), [])
            finally:
                daemon.send_signal(signal.SIGTERM)
                err = daemon.communicate(timeout=240)[1]
            self.assertEqual(daemon.returncode, 0, err[-4000:])
            self.assertIn("spool pruned sent=5", err)
            self.assert_clean_report(log)
            alone_log = os.path.join(fx.dir, "valgrind-poll.log")
            alone = subprocess.run([valgrind, *MEMCHECK, "--log-file=" + alone_log, BIN, "poll",
                                    fx.url("/feeds/frontier.atom"), "-c", fx.config],
                                   capture_output=True, text=True, timeout=300)
            self.assertEqual(alone.returncode, 0, alone.stderr[-4000:])
            self.assert_clean_report(alone_log)
        finally:
            fx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
