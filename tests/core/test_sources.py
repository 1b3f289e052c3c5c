"""test_sources.py: sitemaps and web pages as feed list entries, end to end.

The fixture server serves a gzip news sitemap (as a .xml.gz file, not Content-Encoding), a
sitemap index naming it, a recent plain sitemap and an old one, a 50,000-URL sitemap of a
site's archive with a few recent URLs, and a homepage that advertises its feed. Each recent
URL becomes one record, written once however often the source is polled; old URLs, old
sitemaps and the archive are never fetched; the homepage is read once, its feed
remembered and polled directly after that. `feedspool discover` prints what a page
advertises."""
import datetime
import gzip
import os
import random
import re
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, Fixture  # noqa: E402

NOW = datetime.datetime.now(datetime.timezone.utc)
RECENT = (NOW - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
OLD = "2019-03-01T10:00:00Z"
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


WORDS = ("market river council school winter harvest bridge station minister report court "
         "village doctor budget festival railway election storm museum factory harbour "
         "teacher garden library ferry clinic orchard stadium bakery tunnel").split()


def page(title):
    """A page whose text is its own (the story index would take look-alikes for copies)."""
    rng = random.Random(title)
    words = " ".join(rng.choice(WORDS) for _ in range(240))
    return ("<html><head><title>%s</title></head><body><article><h1>%s</h1><p>%s.</p>"
            "</article></body></html>\n" % (title, title, words))


def news_url(loc, title, date):
    return ("<url><loc>%s</loc><news:news><news:publication><news:name>Fixture News</news:name>"
            "<news:language>en</news:language></news:publication>"
            "<news:publication_date>%s</news:publication_date><news:title>%s</news:title>"
            "</news:news></url>\n" % (loc, date, title))


class Sources(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.write("maps/.keep", "")

    def tearDown(self):
        self.fx.close()

    def write(self, path, text, binary=False):
        full = os.path.join(self.fx.www, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb" if binary else "w") as f:
            f.write(text)

    def add_page(self, name, title):
        self.write("pages/%s.html" % name, page(title))
        return self.fx.url("/pages/%s.html" % name)

    def write_feed_list(self, *lines):
        with open(self.fx.feeds, "w") as f:
            for line in lines:
                f.write(line + "\n")

    def once_ok(self):
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def titles(self):
        return sorted(r["title"] for r in self.fx.records().values())

    def requested(self, path):
        return [r for r in self.fx.requests() if r.split()[1] == path]

    def news_sitemap_gz(self):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset %s %s>\n' % (SITEMAP_NS, NEWS_NS)
                + news_url(self.add_page("alpha", "Alpha harbour reopens"),
                           "Alpha harbour reopens", RECENT)
                + news_url(self.add_page("bravo", "Bravo council votes"), "Bravo council votes",
                           RECENT)
                + news_url(self.add_page("charlie", "Charlie archive story"),
                           "Charlie archive story", OLD)
                + "</urlset>\n")
        self.write("maps/news.xml.gz", gzip.compress(body.encode()), binary=True)
        return "/maps/news.xml.gz"

    def test_gzip_news_sitemap(self):
        path = self.news_sitemap_gz()
        self.write_feed_list(self.fx.url(path))
        result = self.once_ok()
        self.assertEqual(self.titles(), ["Alpha harbour reopens", "Bravo council votes"],
                         result.stderr)
        self.assertEqual(self.requested("/pages/charlie.html"), [])
        records = {r["title"]: r for r in self.fx.records().values()}
        alpha = records["Alpha harbour reopens"]
        self.assertEqual(alpha["feed"]["url"], self.fx.url(path))
        self.assertEqual(alpha["feed"]["title"], "Fixture News")  # news:publication/news:name
        self.assertEqual(alpha["url"], self.fx.url("/pages/alpha.html"))
        self.assertEqual(alpha["published"], RECENT)
        # polled again: nothing is written twice
        self.once_ok()
        self.assertEqual(len(self.fx.records()), 2)
        self.assertEqual(len(self.requested(path)), 2)

    def test_sitemap_index_fetches_recent_sitemaps_only(self):
        news = self.news_sitemap_gz()
        self.write("maps/plain.xml",
                   '<urlset %s><url><loc>%s</loc><lastmod>%s</lastmod></url>'
                   '<url><loc>%s</loc></url></urlset>\n'
                   % (SITEMAP_NS, self.add_page("delta", "Delta bridge opens"), RECENT,
                      self.add_page("echo", "Echo undated page")))
        self.write("maps/old.xml", '<urlset %s><url><loc>%s</loc><lastmod>%s</lastmod></url>'
                   '</urlset>\n' % (SITEMAP_NS, self.add_page("foxtrot", "Foxtrot old"), OLD))
        self.write("maps/index.xml",
                   '<?xml version="1.0"?>\n<sitemapindex %s>'
                   '<sitemap><loc>{{BASE}}/maps/old.xml</loc><lastmod>%s</lastmod></sitemap>'
                   '<sitemap><loc>{{BASE}}%s</loc><lastmod>%s</lastmod></sitemap>'
                   '<sitemap><loc>plain.xml</loc></sitemap>'
                   '</sitemapindex>\n' % (SITEMAP_NS, OLD, news, RECENT))
        self.write_feed_list(self.fx.url("/maps/index.xml") + " name=Fixture")
        result = self.once_ok()
        self.assertEqual(self.titles(), ["Alpha harbour reopens", "Bravo council votes",
                                         "Delta bridge opens"], result.stderr)
        self.assertIn("sitemap index read", result.stderr)
        self.assertEqual(self.requested("/maps/old.xml"), [])
        self.assertEqual(len(self.requested("/maps/plain.xml")), 1)
        self.assertEqual(self.requested("/pages/echo.html"), [])
        # the index keeps no validators: a changed sitemap under it is read next time
        self.write("maps/plain.xml",
                   '<urlset %s><url><loc>%s</loc><lastmod>%s</lastmod></url></urlset>\n'
                   % (SITEMAP_NS, self.add_page("golf", "Golf station opens"), RECENT))
        self.once_ok()
        self.assertEqual(self.titles(), ["Alpha harbour reopens", "Bravo council votes",
                                         "Delta bridge opens", "Golf station opens"])
        for r in self.fx.requests():
            if r.split()[1] == "/maps/index.xml":
                self.assertIn("inm=-", r)

    def test_sitemaps_of_an_index_are_fetched_conditionally(self):
        news = self.news_sitemap_gz()
        self.write("maps/plain.xml",
                   '<urlset %s><url><loc>%s</loc><lastmod>%s</lastmod></url></urlset>\n'
                   % (SITEMAP_NS, self.add_page("india", "India ferry returns"), RECENT))
        index = ('<?xml version="1.0"?>\n<sitemapindex %s>'
                 '<sitemap><loc>{{BASE}}%s</loc><lastmod>%s</lastmod></sitemap>'
                 '%s</sitemapindex>\n')
        plain_entry = '<sitemap><loc>plain.xml</loc><lastmod>%s</lastmod></sitemap>' % RECENT
        self.write("maps/index.xml", index % (SITEMAP_NS, news, RECENT, plain_entry))
        self.write_feed_list(self.fx.url("/maps/index.xml"))
        result = self.once_ok()
        self.assertEqual(len(self.fx.records()), 3, result.stderr)
        result = self.once_ok()
        self.assertNotIn("sitemap skipped", result.stderr)
        self.assertEqual(len(self.fx.records()), 3)
        for path in (news, "/maps/plain.xml"):
            first, second = self.requested(path)
            self.assertIn("inm=-", first)
            self.assertNotIn("inm=-", second)  # the sitemap's own ETag: answered 304
        # the index still keeps none, so a sitemap dropped from it is forgotten
        self.assertEqual([r for r in self.requested("/maps/index.xml") if "inm=-" not in r], [])
        db = sqlite3.connect(self.fx.state)
        try:
            children = db.execute("SELECT url, etag IS NOT NULL FROM sitemap_children "
                                  "ORDER BY url").fetchall()
            source = db.execute("SELECT source FROM feeds").fetchall()
        finally:
            db.close()
        self.assertEqual(children, [(self.fx.url(news), 1), (self.fx.url("/maps/plain.xml"), 1)])
        self.assertEqual(source, [("sitemap index",)])
        self.write("maps/index.xml", index % (SITEMAP_NS, news, RECENT, ""))
        self.once_ok()
        db = sqlite3.connect(self.fx.state)
        try:
            children = db.execute("SELECT url FROM sitemap_children").fetchall()
        finally:
            db.close()
        self.assertEqual(children, [(self.fx.url(news),)])
        self.assertEqual(len(self.requested("/maps/plain.xml")), 2)
        self.assertEqual(len(self.fx.records()), 3)

    def test_state_of_an_older_version_is_upgraded(self):
        db = sqlite3.connect(self.fx.state)
        try:  # the feeds table as version 3 made it
            db.executescript(
                "CREATE TABLE feeds (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
                " next_due INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,"
                " last_status INTEGER, last_error TEXT, last_poll INTEGER, last_success INTEGER,"
                " moved_to TEXT, gone INTEGER NOT NULL DEFAULT 0);"
                "PRAGMA user_version=3;")
        finally:
            db.close()
        path = self.news_sitemap_gz()
        self.write_feed_list(self.fx.url(path))
        result = self.once_ok()
        self.assertEqual(len(self.fx.records()), 2, result.stderr)
        db = sqlite3.connect(self.fx.state)
        try:
            self.assertEqual(db.execute("SELECT source FROM feeds").fetchall(), [("sitemap",)])
            self.assertEqual(db.execute("PRAGMA user_version").fetchone(), (4,))
        finally:
            db.close()

    def test_sitemap_age_and_children_are_options(self):
        nine_days = (NOW - datetime.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ten_days = (NOW - datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name, title in (("one", "Kilo harbour story"), ("two", "Lima river story")):
            self.write("maps/%s.xml" % name,
                       '<urlset %s><url><loc>%s</loc><lastmod>%s</lastmod></url></urlset>\n'
                       % (SITEMAP_NS, self.add_page(name, title), ten_days))
        self.write("maps/index.xml",
                   '<sitemapindex %s>'
                   '<sitemap><loc>one.xml</loc><lastmod>%s</lastmod></sitemap>'
                   '<sitemap><loc>two.xml</loc><lastmod>%s</lastmod></sitemap>'
                   '</sitemapindex>\n' % (SITEMAP_NS, nine_days, ten_days))
        self.write_feed_list(self.fx.url("/maps/index.xml"))
        result = self.once_ok()  # by default, nine days is too old: neither is fetched
        self.assertEqual(self.titles(), [], result.stderr)
        self.assertEqual(self.requested("/maps/one.xml"), [])
        self.fx.write_config(sitemap_max_age="30d", sitemap_max_children="1")
        result = self.once_ok()
        self.assertEqual(self.titles(), ["Kilo harbour story"], result.stderr)
        self.assertEqual(self.requested("/maps/two.xml"), [])  # the newest one only
        self.fx.write_config(sitemap_max_age="30d")
        result = self.once_ok()
        self.assertEqual(self.titles(), ["Kilo harbour story", "Lima river story"], result.stderr)

    def test_fifty_thousand_url_sitemap(self):
        lines = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset %s>\n' % SITEMAP_NS]
        recent = []
        for i in range(50000):
            if i % 5000 == 17:
                recent.append(i)
                loc = self.add_page("big-%d" % i, "Big story %d" % i)
                date = RECENT
            else:
                loc = self.fx.url("/archive/%d/a-long-slug-for-an-old-article" % i)
                date = "2021-06-%02dT08:00:00+00:00" % (1 + i % 28)
            lines.append("<url><loc>%s</loc><lastmod>%s</lastmod><changefreq>monthly"
                         "</changefreq><priority>0.5</priority></url>\n" % (loc, date))
        lines.append("</urlset>\n")
        self.write("maps/big.xml.gz", gzip.compress("".join(lines).encode()), binary=True)
        self.write_feed_list(self.fx.url("/maps/big.xml.gz"))
        result = self.once_ok()
        self.assertEqual(self.titles(), sorted("Big story %d" % i for i in recent), result.stderr)
        self.assertFalse([r for r in self.fx.requests() if "/archive/" in r])
        self.once_ok()
        self.assertEqual(len(self.fx.records()), len(recent))

    def test_homepage_resolved_to_its_feed(self):
        self.write("site/feed.rss",
                   '<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>'
                   '<item><title>Hotel opens</title><link>%s</link><guid>hotel</guid></item>'
                   '</channel></rss>\n' % self.add_page("hotel", "Hotel opens"))
        self.write("site/index.html",
                   '<!DOCTYPE html><html><head><title>Site home</title>'
                   '<link rel="stylesheet" href="/s.css">'
                   '<link rel="alternate" type="application/rss+xml" title="Site" '
                   'href="feed.rss"></head><body><p>Welcome</p></body></html>\n')
        home = self.fx.url("/site/index.html")
        self.write_feed_list(home)
        result = self.once_ok()
        self.assertEqual(self.titles(), ["Hotel opens"], result.stderr)
        self.assertIn("feed list URL is a page, polling the feed it advertises", result.stderr)
        self.assertIn("resolved=%s" % self.fx.url("/site/feed.rss"), result.stderr)
        db = sqlite3.connect(self.fx.state)
        try:
            moved = db.execute("SELECT moved_to FROM feeds WHERE url = ?", (home,)).fetchone()
        finally:
            db.close()
        self.assertEqual(moved, (self.fx.url("/site/feed.rss"),))
        # the next poll goes to the feed, with its validators; the page is not read again
        result = self.once_ok()
        self.assertNotIn("is a page", result.stderr)
        self.assertEqual(len(self.requested("/site/index.html")), 1)
        feed_requests = self.requested("/site/feed.rss")
        self.assertEqual(len(feed_requests), 2)
        self.assertNotIn("inm=-", feed_requests[1])
        self.assertEqual(len(self.fx.records()), 1)

    def check(self):
        return subprocess.run([BIN, "check", "-c", self.fx.config], capture_output=True,
                              text=True, timeout=30)

    def test_check_notes_pages_and_sitemaps(self):
        self.write("site/feed.rss",
                   '<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>'
                   '<item><title>Juliet opens</title><link>%s</link><guid>juliet</guid></item>'
                   '</channel></rss>\n' % self.add_page("juliet", "Juliet opens"))
        self.write("site/index.html",
                   '<html><head><link rel="alternate" type="application/rss+xml" '
                   'href="feed.rss"></head><body>home</body></html>\n')
        news = self.news_sitemap_gz()
        self.write("maps/index.xml",
                   '<sitemapindex %s><sitemap><loc>{{BASE}}%s</loc></sitemap></sitemapindex>\n'
                   % (SITEMAP_NS, news))
        self.write_feed_list("# sources", self.fx.url("/site/index.html"), self.fx.url(news),
                             self.fx.url("/maps/index.xml"), self.fx.url("/site/feed.rss"))
        before = self.check()
        self.assertEqual(before.returncode, 0, before.stderr)
        self.assertNotIn("note:", before.stdout)  # never polled: nothing known, nothing fetched
        self.assertEqual(self.fx.requests(), [])
        def today():
            return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        polled_on = {today()}
        self.once_ok()
        polled_on.add(today())
        result = self.check()
        self.assertEqual(result.returncode, 0, result.stderr)
        notes = [line for line in result.stdout.splitlines() if ": note: " in line]
        found = set(re.findall(r"\(found (\S+)\)", result.stdout))
        self.assertTrue(found and found <= polled_on, result.stdout)
        today = found.pop()
        self.assertEqual(notes, [
            "%s:2: note: a web page; polled at its feed %s (found %s)"
            % (self.fx.feeds, self.fx.url("/site/feed.rss"), today),
            "%s:3: note: a sitemap, not a feed (found %s)" % (self.fx.feeds, today),
            "%s:4: note: a sitemap index, not a feed (found %s)" % (self.fx.feeds, today)],
            result.stdout)
        self.assertIn("configuration ok", result.stdout)

    def test_check_online_says_what_each_line_is(self):
        self.write("site/feed.rss",
                   '<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>'
                   '</channel></rss>\n')
        self.write("site/index.html",
                   '<html><head><link rel="alternate" type="application/rss+xml" '
                   'href="feed.rss"></head><body>home</body></html>\n')
        self.write("site/plain.html", "<html><body>no feed here</body></html>\n")
        news = self.news_sitemap_gz()
        self.write("maps/index.xml",
                   '<sitemapindex %s><sitemap><loc>{{BASE}}%s</loc></sitemap></sitemapindex>\n'
                   % (SITEMAP_NS, news))
        self.write_feed_list(self.fx.url("/site/index.html"), self.fx.url("/site/feed.rss"),
                             self.fx.url("/maps/index.xml"), self.fx.url(news),
                             self.fx.url("/site/plain.html"), self.fx.url("/missing.rss"),
                             self.fx.url("/site/feed.rss") + "?again sitemap=yes")
        result = subprocess.run([BIN, "check", "--online", "-c", self.fx.config],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        feeds = self.fx.feeds
        self.assertEqual(sorted(line for line in result.stdout.splitlines() if "online:" in line), [
            "%s:1: online: a web page; its feed %s is polled" % (feeds, self.fx.url("/site/feed.rss")),
            "%s:2: online: a feed (rss20)" % feeds,
            "%s:3: online: a sitemap index" % feeds,
            "%s:4: online: a sitemap" % feeds])
        broken = sorted(line for line in result.stderr.splitlines() if "broken:" in line)
        self.assertEqual(len(broken), 3, result.stderr)
        self.assertTrue(broken[0].startswith("%s:5: broken: %s: not a feed"
                                             % (feeds, self.fx.url("/site/plain.html"))), broken)
        self.assertEqual(broken[1], "%s:6: broken: %s: HTTP 404"
                         % (feeds, self.fx.url("/missing.rss")))
        self.assertTrue(broken[2].startswith("%s:7: broken: %s: not a sitemap"
                                             % (feeds, self.fx.url("/site/feed.rss?again"))), broken)
        self.assertIn("3 problems found", result.stderr)
        self.assertEqual(len(self.fx.requests()), 7)  # one fetch a line, nothing it names
        # without --online nothing is fetched
        self.assertEqual(self.check().returncode, 0)
        self.assertEqual(len(self.fx.requests()), 7)

    def test_page_without_feed_fails_clearly(self):
        self.write("site/plain.html", "<html><head><title>No feed</title></head><body>x</body>"
                                      "</html>\n")
        self.write_feed_list(self.fx.url("/site/plain.html"))
        result = self.fx.once()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not a feed", result.stderr)

    def test_discover_command(self):
        self.write("site/index.html",
                   '<html><head><base href="/news/">'
                   '<link rel="alternate" type="application/rss+xml" title="Top" href="top.rss">'
                   '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
                   '<link rel="alternate" type="application/feed+json" href="feed.json">'
                   '<link rel="icon" href="/i.png"></head></html>\n')
        result = subprocess.run([BIN, "discover", self.fx.url("/site/index.html")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), [
            "%s\tapplication/rss+xml\tTop" % self.fx.url("/news/top.rss"),
            "%s\tapplication/atom+xml\t" % self.fx.url("/atom.xml"),
            "%s\tapplication/feed+json\t" % self.fx.url("/news/feed.json")])
        self.write("site/none.html", "<html><body>nothing</body></html>\n")
        result = subprocess.run([BIN, "discover", self.fx.url("/site/none.html")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("advertises no feed", result.stderr)


if __name__ == "__main__":
    unittest.main()
