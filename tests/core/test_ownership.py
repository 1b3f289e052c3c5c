"""test_ownership.py: a feed cannot take another site's articles by listing them first.

A site (its feed and its articles on 127.0.0.2) and an aggregator (a feed on 127.0.0.1) that
lists the site's two articles before the site's own feed is read: one by a permalink guid
with ?utm_source= added, one by its link with a fragment added. The aggregator's items get
their records; then the site's feed is read, and each of its items gets a record of its own
(feed.url the site's feed), marked as a copy of the aggregator's (duplicate_of). A second
aggregator listing the same articles after the site did gets nothing: the link is known, and
the article is the site's (docs/spool.md, "Which feed an article belongs to")."""
import functools
import http.server
import os
import sys
import tempfile
import threading
import shutil
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture  # noqa: E402

WORDS = ("minister council river bridge harvest valley court border market village envoy "
         "teachers farmers water trade statement agreement clashes province district").split()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def site_server(root):
    handler = functools.partial(QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss(title, items):
    return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>%s"
            "</channel></rss>" % (title, "".join(items)))


class Ownership(unittest.TestCase):
    def test_a_feed_listing_another_sites_articles_first_does_not_own_them(self):
        fx = Fixture()
        root = tempfile.mkdtemp(prefix="feedspool-site-")
        server = site_server(root)
        site = "http://127.0.0.2:%d" % server.server_address[1]
        try:
            for n in (1, 2):
                body = "".join("<p>%s.</p>" % " ".join(WORDS[(n * 5 + i * 3 + k) % len(WORDS)] +
                                                       "%d%d" % (n, k) for k in range(30))
                               for i in range(4))
                with open(os.path.join(root, "story-%d.html" % n), "w") as f:
                    f.write("<html><head><title>Story %d</title></head><body><article><h1>Story "
                            "%d</h1>%s</article></body></html>" % (n, n, body))
            with open(os.path.join(root, "feed.xml"), "w") as f:
                f.write(rss("The site", [
                    "<item><title>Story 1</title><link>%s/story-1.html</link>"
                    "<guid isPermaLink=\"true\">%s/story-1.html</guid></item>" % (site, site),
                    "<item><title>Story 2</title><link>%s/story-2.html</link>"
                    "<guid isPermaLink=\"false\">site-2</guid></item>" % site]))
            for name, guid2 in (("aggregator.xml", "agg-2"), ("late-aggregator.xml", "late-2")):
                with open(os.path.join(fx.www, "feeds", name), "w") as f:
                    f.write(rss(name, [
                        "<item><title>Story 1</title><link>%s/story-1.html?utm_source=agg</link>"
                        "<guid isPermaLink=\"true\">%s/story-1.html?utm_source=agg</guid></item>"
                        % (site, site),
                        "<item><title>Story 2</title><link>%s/story-2.html#top</link>"
                        "<guid isPermaLink=\"false\">%s</guid></item>" % (site, guid2)]))
            aggregator = fx.url("/feeds/aggregator.xml")
            site_feed = site + "/feed.xml"

            fx.write_feeds("/feeds/aggregator.xml")
            self.assertEqual(fx.once().returncode, 0)
            first = {r["id"]: r for r in fx.records().values()}
            self.assertEqual(len(first), 2)
            self.assertEqual({r["feed"]["url"] for r in first.values()}, {aggregator})

            with open(fx.feeds, "a") as f:
                f.write(site_feed + "\n")
            result = fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            records = fx.records().values()
            own = [r for r in records if r["feed"]["url"] == site_feed]
            self.assertEqual(len(own), 2, "the site's items get records of their own:\n"
                             + result.stderr)
            for r in own:
                self.assertIn(r["duplicate_of"], first)  # marked as the copies they are
                self.assertEqual(r["story"], first[r["duplicate_of"]]["story"])
            self.assertEqual(sorted(r["title"] for r in own), ["Story 1", "Story 2"])

            # An aggregator listing them after the site's feed did: nothing new.
            with open(fx.feeds, "a") as f:
                f.write(fx.url("/feeds/late-aggregator.xml") + "\n")
            self.assertEqual(fx.once().returncode, 0)
            self.assertEqual(len(fx.records()), 4)
            self.assertNotIn("pending", fx.item_states().values())
        finally:
            server.shutdown()
            shutil.rmtree(root, ignore_errors=True)
            fx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
