"""test_robots.py: article pages and the site's robots.txt (RFC 9309), over real loopback HTTP.

The feed comes from the fixture server on 127.0.0.1; its article links point at small sites
this file serves on other loopback addresses (127.0.0.2 to 127.0.0.7), each with its own
robots.txt behaviour and its own request log: rules that disallow some pages, a 503, a
robots.txt of several megabytes, a hostile one (binary, a very long line, thousands of
groups), one that never answers. A disallowed page is never requested; its record is made
from the feed's text and says "page_skipped": "robots"."""
import hashlib
import http.server
import os
import random
import re
import sqlite3
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture  # noqa: E402
from natsserver import free_port  # noqa: E402

ITEM = ("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
        "<description><![CDATA[<p>Summary of %s.</p><p>This summary stands in when the page is "
        "not fetched, and it is long enough to be kept as the article's text by the cleaner."
        "</p>]]></description></item>")


WORDS = ("river council harbour market winter budget school railway festival museum court "
         "election bridge hospital farmer village storm drought treaty minister orchestra "
         "library airport factory mountain island coast engineer teacher report season").split()


def page_for(path):
    """An article page of its own for each path (the same text twice would be one story)."""
    rng = random.Random(hashlib.sha256(path.encode()).digest())
    paragraphs = "".join("<p>%s.</p>" % " ".join(rng.choice(WORDS) for _ in range(60))
                         for _ in range(5))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page %s"
            "</title></head><body><article><h1>Page %s</h1>%s</article></body></html>"
            % (path, path, paragraphs)).encode()


class Site:
    """An HTTP site on one loopback address: robots.txt as told, any other path a page."""

    def __init__(self, address):
        self.lock = threading.Lock()
        self.log = []  # (path, monotonic seconds, If-None-Match or None)
        self.robots = [("status", 404, b"", {})]  # answers in turn; the last one repeats
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with site.lock:
                    site.log.append((self.path, time.monotonic(),
                                     self.headers.get("If-None-Match")))
                    if self.path.endswith("/robots.txt"):
                        answer = site.robots[0] if len(site.robots) == 1 else site.robots.pop(0)
                    else:
                        answer = ("status", 200, page_for(self.path),
                                  {"Content-Type": "text/html"})
                kind, status, body, headers = answer
                if kind == "stall":
                    time.sleep(status)
                    return
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except ConnectionError:
                    pass  # the client took what it wanted (the first 500 KiB) and left

        self.server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.base = "http://%s:%d" % (address, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve_robots(self, *answers):
        with self.lock:
            self.robots = list(answers)

    def paths(self):
        with self.lock:
            return [entry[0] for entry in self.log]

    def entries(self, path):
        with self.lock:
            return [entry for entry in self.log if entry[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def text(body, **headers):
    return ("status", 200, body.encode() if isinstance(body, str) else body, headers)


class Robots(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.sites = []

    def tearDown(self):
        for site in self.sites:
            site.close()
        self.fx.close()

    def site(self, n):
        s = Site("127.0.0.%d" % n)
        self.sites.append(s)
        return s

    def write_feed(self, links, name="links.xml"):
        items = "".join(ITEM % (url, url, url, url) for url in links)
        with open(os.path.join(self.fx.www, "feeds", name), "w") as f:
            f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Links</title>"
                    + items + "</channel></rss>")

    def by_url(self):
        return {r["url"]: r for r in self.fx.records().values()}

    def run_once(self, links, **config):
        self.write_feed(links)
        self.fx.write_config(**config)
        self.fx.write_feeds("/feeds/links.xml")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_disallowed_pages_are_not_fetched_and_the_record_says_why(self):
        a = self.site(2)
        a.serve_robots(text("User-agent: otherbot\nDisallow: /\n\n"
                            "User-agent: FeedSpool\nUser-agent: someone-else\n"
                            "Disallow: /private/\nAllow: /private/open\n"
                            "Disallow: /*.pdf$\n"))
        links = [a.base + p for p in ("/private/a.html", "/private/b.html", "/private/open.html",
                                      "/public/1.html", "/public/2.html", "/public/3.html",
                                      "/files/x.pdf", "/files/x.pdf.html")]
        result = self.run_once(links)
        records = self.by_url()
        self.assertEqual(len(records), len(links), result.stderr)
        skipped = {a.base + p for p in ("/private/a.html", "/private/b.html", "/files/x.pdf")}
        for url in links:
            r = records[url]
            if url in skipped:
                self.assertEqual(r["text_source"], "feed", url)
                self.assertEqual(r["page_skipped"], "robots", url)
                self.assertIn("This summary stands in", r["text"])
            else:
                self.assertEqual(r["text_source"], "page", url)
                self.assertNotIn("page_skipped", r, url)
        requested = a.paths()
        for url in skipped:
            self.assertNotIn(url[len(a.base):], requested)
        self.assertEqual(requested.count("/robots.txt"), 1, "one robots.txt fetch for 8 pages")
        self.assertEqual(requested[0], "/robots.txt", "asked before any page")
        self.assertIn("disallowed by %s/robots.txt" % a.base, result.stderr)
        # feeds are not subject to robots.txt: the feed's host was never asked for one
        self.assertNotIn("/robots.txt", [line.split()[1] for line in self.fx.requests()])

    def test_robots_ignore_fetches_every_page_and_never_asks(self):
        a = self.site(2)
        a.serve_robots(text("User-agent: *\nDisallow: /\n"))
        links = [a.base + "/private/a.html", a.base + "/b.html"]
        self.run_once(links, robots="ignore")
        records = self.by_url()
        for url in links:
            self.assertEqual(records[url]["text_source"], "page")
            self.assertNotIn("page_skipped", records[url])
        self.assertNotIn("/robots.txt", a.paths())
        self.assertIn("/private/a.html", a.paths())

    def test_a_missing_robots_txt_allows_everything(self):
        a = self.site(2)
        a.serve_robots(("status", 404, b"not here", {}))
        b = self.site(3)
        b.serve_robots(("status", 403, b"", {}))
        links = [a.base + "/x.html", a.base + "/y.html", b.base + "/z.html"]
        self.run_once(links)
        records = self.by_url()
        for url in links:
            self.assertEqual(records[url]["text_source"], "page", url)
        self.assertEqual(a.paths().count("/robots.txt"), 1)
        self.assertEqual(b.paths().count("/robots.txt"), 1)

    def test_a_server_error_fetches_nothing_and_is_asked_again_later(self):
        a = self.site(2)
        a.serve_robots(("status", 503, b"busy", {}), text("User-agent: *\nDisallow: /no\n"))
        links = [a.base + "/yes.html", a.base + "/no.html"]
        result = self.run_once(links, article_attempts="3")
        self.assertEqual(self.by_url(), {}, "nothing written while robots.txt is unreachable")
        self.assertEqual(a.paths(), ["/robots.txt"], "no page fetched after a 503")
        self.assertIn("robots.txt unreachable", result.stderr)
        self.assertIn("HTTP 503", result.stderr)
        self.assertEqual(set(self.fx.item_states().values()), {"pending"})
        # the next run (after retry_delay) asks again and now gets the rules
        time.sleep(1.2)
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = self.by_url()
        self.assertEqual(records[a.base + "/yes.html"]["text_source"], "page")
        self.assertEqual(records[a.base + "/no.html"]["page_skipped"], "robots")
        self.assertEqual(a.paths().count("/robots.txt"), 2)
        self.assertNotIn("/no.html", a.paths())

    def test_an_unreachable_robots_txt_gives_up_on_the_page_after_the_last_attempt(self):
        a = self.site(2)
        a.serve_robots(("status", 500, b"", {}))
        self.run_once([a.base + "/p.html"], article_attempts="1")
        record = self.by_url()[a.base + "/p.html"]
        self.assertEqual(record["text_source"], "feed")
        self.assertEqual(record["page_skipped"], "robots")
        self.assertEqual(a.paths(), ["/robots.txt"])

    def test_items_waiting_to_retry_leave_room_for_the_next_ones(self):
        """More items than the daemon's window of jobs (64), on a site whose robots.txt
        answers 503: each item is tried once and waits (an hour) to be tried again, and the
        room it leaves in the window goes at once to the next pending items. (They waited for
        a job to end, the first retry an hour on.)"""
        a = self.site(2)
        a.serve_robots(("status", 503, b"busy", {}))
        links = [a.base + "/p%d.html" % i for i in range(150)]
        self.write_feed(links)
        self.fx.write_config(retry_delay="1h", article_attempts="5", max_transfers="8")
        self.fx.write_feeds("/feeds/links.xml")

        def tried():
            db = sqlite3.connect(self.fx.state)
            try:
                return db.execute("SELECT count(*) FROM items WHERE attempts >= 1").fetchone()[0]
            except sqlite3.OperationalError:
                return 0  # (no tables yet)
            finally:
                db.close()
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: tried() == len(links), timeout=30,
                             what="every item tried once")
        finally:
            daemon.terminate()
            daemon.communicate(timeout=30)
        self.assertEqual(self.by_url(), {}, "nothing written while robots.txt is unreachable")
        self.assertEqual(a.paths().count("/robots.txt"), 1)

    def test_redirects_are_followed_and_crawl_delay_spaces_the_pages(self):
        a = self.site(2)
        b = self.site(3)
        a.serve_robots(("status", 301, b"", {"Location": b.base + "/elsewhere/robots.txt"}))
        b.serve_robots(text("User-agent: *\nCrawl-delay: 1\nDisallow: /hidden\n"))
        links = [a.base + "/hidden/x.html"] + [a.base + "/p%d.html" % i for i in range(3)]
        self.run_once(links)
        records = self.by_url()
        self.assertEqual(records[a.base + "/hidden/x.html"]["page_skipped"], "robots")
        starts = [t for path, t, _ in a.log if path.startswith("/p")]
        self.assertEqual(len(starts), 3)
        gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
        self.assertTrue(all(g >= 0.9 for g in gaps), gaps)
        self.assertNotIn("/hidden/x.html", a.paths())

    def test_huge_hostile_and_stalling_robots_txt(self):
        huge = self.site(2)
        # several megabytes: only the first 500 KiB count, the rest (a Disallow: /late) is not read
        filler = "".join("# line %d of a very large robots.txt, none of it rules\n" % i
                         for i in range(12000))
        body = "User-agent: *\nDisallow: /early\n" + filler
        body += "Disallow: /late\n" + filler * 10
        self.assertGreater(len(body), 5 * 1024 * 1024)
        huge.serve_robots(text(body))
        hostile = self.site(3)
        groups = "".join("User-agent: bot%d\nDisallow: /%d\n\n" % (i, i) for i in range(5000))
        hostile.serve_robots(text(b"\x00\xff\xfe\xfd garbage\n" + b"Disallow: /" + b"x" * 300000
                                  + b"\n" + groups.encode() + b"User-agent: feedspool\n"
                                  + b"Disallow: /nope\n" + bytes(range(256)) * 100))
        stalled = self.site(4)
        stalled.serve_robots(("stall", 60, b"", {}))
        plain = self.site(5)
        links = ([huge.base + p for p in ("/early/1.html", "/late/1.html", "/ok.html")]
                 + [hostile.base + p for p in ("/nope/1.html", "/1.html", "/fine.html")]
                 + [stalled.base + p for p in ("/s1.html", "/s2.html")]
                 + [plain.base + "/p.html"])
        self.write_feed(links)
        port = free_port()
        self.fx.write_config(metrics_address="127.0.0.1:%d" % port, article_attempts="2",
                             transfer_timeout="4s", low_speed_time="3s")
        self.fx.write_feeds("/feeds/links.xml")
        daemon = self.fx.start_daemon()
        try:
            others = [u for u in links if not u.startswith(stalled.base)]
            # the other sites proceed while one site's robots.txt stalls
            self.fx.wait_for(lambda: set(others) <= set(self.by_url()), timeout=60,
                             what="the records of the sites that answer")
            self.assertTrue(stalled.entries("/robots.txt"), "the stalled site was asked")
            # the daemon answers while the stall lasts
            started = time.monotonic()
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
                metrics = r.read().decode()
            self.assertLess(time.monotonic() - started, 5)
            records = self.by_url()
            self.assertEqual(records[huge.base + "/early/1.html"]["page_skipped"], "robots")
            self.assertEqual(records[huge.base + "/late/1.html"]["text_source"], "page")
            self.assertEqual(records[hostile.base + "/nope/1.html"]["page_skipped"], "robots")
            self.assertEqual(records[hostile.base + "/1.html"]["text_source"], "page")
            self.assertEqual(records[plain.base + "/p.html"]["text_source"], "page")
            # the stalled site: cut by the timeouts, asked again, then the feed's text
            self.fx.wait_for(lambda: {stalled.base + "/s1.html", stalled.base + "/s2.html"}
                             <= set(self.by_url()), timeout=60,
                             what="the stalled site's records, from the feed's text")
            for path in ("/s1.html", "/s2.html"):
                record = self.by_url()[stalled.base + path]
                self.assertEqual(record["text_source"], "feed")
                self.assertEqual(record["page_skipped"], "robots")
            self.assertEqual([p for p in stalled.paths() if p != "/robots.txt"], [])
            self.assertLessEqual(len(stalled.entries("/robots.txt")), 3,
                                 "one fetch per attempt, never one per page")
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
                metrics = r.read().decode()
            self.assertIn('feedspool_pages_skipped_total{reason="robots"} 4\n', metrics)
        finally:
            daemon.terminate()
            out, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)
        # the huge one was read up to the parse limit only, the transfer ending there
        self.assertIn("robots.txt fetched site=%s bytes=512000 (cut)" % huge.base, err)
        for site in (huge, hostile, plain):
            self.assertEqual(site.paths().count("/robots.txt"), 1)
        self.assertNotIn("/early/1.html", huge.paths())
        self.assertNotIn("/nope/1.html", hostile.paths())

    def test_an_expired_robots_txt_is_asked_again_with_its_validators(self):
        a = self.site(2)
        a.serve_robots(text("User-agent: *\nDisallow: /no\n", ETag='"v1"',
                            **{"Cache-Control": "max-age=1"}))
        self.write_feed([a.base + "/first.html"])
        self.fx.write_config(poll_interval="1s", max_poll_interval="60s")
        self.fx.write_feeds("/feeds/links.xml")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: a.base + "/first.html" in self.by_url(), timeout=30,
                             what="the first record")
            time.sleep(1.5)  # past the robots.txt's max-age (and retry_delay, its floor)
            self.write_feed([a.base + "/first.html", a.base + "/second.html",
                             a.base + "/no/third.html"])
            self.fx.wait_for(lambda: a.base + "/no/third.html" in self.by_url(), timeout=30,
                             what="the records of the second poll")
        finally:
            daemon.terminate()
            out, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)
        asked = a.entries("/robots.txt")
        self.assertEqual(len(asked), 2, asked)
        self.assertIsNone(asked[0][2])
        self.assertEqual(asked[1][2], '"v1"', "the second fetch is conditional (and got a 304)")
        records = self.by_url()
        self.assertEqual(records[a.base + "/no/third.html"]["page_skipped"], "robots")
        self.assertEqual(records[a.base + "/second.html"]["text_source"], "page")

    def test_past_robots_cache_sites_the_least_recently_asked_site_is_forgotten(self):
        sites = [self.site(n) for n in (2, 3, 4)]
        for site in sites:
            site.serve_robots(text("User-agent: *\nDisallow: /no\n",
                                   **{"Cache-Control": "max-age=3600"}))
        first = [site.base + "/first-%d.html" % i for i, site in enumerate(sites)]
        second = [site.base + "/second-%d.html" % i for i, site in enumerate(sites)]
        self.write_feed(first)
        port = free_port()
        self.fx.write_config(poll_interval="1s", max_poll_interval="60s", robots_cache_sites="2",
                             metrics_address="127.0.0.1:%d" % port)
        self.fx.write_feeds("/feeds/links.xml")
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: all(url in self.by_url() for url in first), timeout=60,
                             what="the records of the first poll")
            self.write_feed(first + second)
            self.fx.wait_for(lambda: all(url in self.by_url() for url in second), timeout=60,
                             what="the records of the second poll")
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
                metrics = r.read().decode()
        finally:
            daemon.terminate()
            out, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)
        held = re.search(r"^feedspool_robots_sites (\d+)$", metrics, re.M)
        self.assertEqual(held and held.group(1), "2", "sites held past robots_cache_sites")
        # three sites through a cache of two: one at least was forgotten and fetched again
        # (each robots.txt holds for an hour: a cache that kept all three asked each once)
        asked = [site.paths().count("/robots.txt") for site in sites]
        self.assertGreater(sum(asked), 3, asked)

if __name__ == "__main__":
    unittest.main(verbosity=2)
