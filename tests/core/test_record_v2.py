"""test_record_v2.py: record version 2's fields in real daemon output.

The real binary polls a feed over loopback HTTP, fetches the page and writes records that
must validate against the v2 schema with no member it does not list (fixture.records()),
and carry: authors as a list (with author their v1 join), the feed's categories and the
page's tags, the page's description or the feed's summary, a dateline taken out of text,
the precise date of the day the page's <meta> gives, the site from the host when nothing
names it, lang guessed from the text when the markup is silent, and content_html /
content_markdown as content_format asks."""
import os
import re
import sys
import unittest
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture, by_title  # noqa: E402

PAGE_TITLE = "Canal repairs finish early in the old town"
FEED_TITLE = "Tram line to reopen on Monday"
ALLOWED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table",
           "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "blockquote", "pre", "figure",
           "a", "img", "em", "strong", "b", "i", "code", "sub", "sup", "br", "abbr", "cite", "q"}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


class RecordV2(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_feeds("/feeds/record-v2.xml")

    def tearDown(self):
        self.fx.close()

    def run_once(self, **config):
        self.fx.write_config(**config)
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = by_title(self.fx.records())
        self.assertEqual(set(records), {PAGE_TITLE, FEED_TITLE})
        return records

    def test_fields_of_a_page_record(self):
        record = self.run_once()[PAGE_TITLE]
        self.assertEqual(record["schema_version"], 2)
        self.assertEqual(record["authors"], ["Ahmed Khan", "Sara Ali"])
        self.assertEqual(record["author"], "Ahmed Khan, Sara Ali")
        self.assertEqual(record["categories"], ["Lahore", "water", "Infrastructure", "Old town"])
        self.assertEqual(record["description"],
                         "The canal board finished its repairs two weeks early.")
        self.assertEqual(record["dateline"], "LAHORE")
        self.assertTrue(record["text"].startswith("The canal board said on Wednesday"),
                        record["text"][:60])
        self.assertEqual(record["published"], "2026-11-19T01:12:56Z")  # not the <meta>'s day
        self.assertEqual(record["site"], "127.0.0.1")
        self.assertEqual((record["lang"], record["lang_source"]), ("en", "text"))
        self.assertGreater(record["lang_confidence"], 0)
        html = record["content_html"]
        self.assertNotIn("content_markdown", record)  # content_format = html, the default
        parser = Elements()
        parser.feed(html)
        tags = [t for t, _ in parser.seen]
        self.assertTrue(set(tags) <= ALLOWED, tags)
        self.assertIn("h2", tags)
        self.assertIn("li", tags)
        links = [a["href"] for t, a in parser.seen if t == "a"]
        self.assertEqual(links, [self.fx.url("/water/locks.html")])
        images = [a for t, a in parser.seen if t == "img"]
        self.assertEqual(images, [{"src": self.fx.url("/img/canal.jpg"), "alt": "The rebuilt lock"}])
        for junk in ["onclick", "tracking pixel", "script", "style", "Home", "Canal Times"]:
            self.assertNotIn(junk, html)

    def test_fields_of_a_feed_only_record(self):
        record = self.run_once()[FEED_TITLE]
        self.assertEqual(record["text_source"], "feed")
        self.assertEqual(record["authors"], ["Bilal Ahmed", "Hina Shah"])
        self.assertEqual(record["description"], "The tram line through the city centre will "
                         "reopen on Monday after three weeks of track repairs, the transport "
                         "authority said.")
        self.assertEqual(record["categories"], [])
        self.assertTrue(record["content_html"].startswith("<p>The tram line"))

    def test_content_format(self):
        records = self.run_once(content_format="text")
        for record in records.values():
            self.assertNotIn("content_html", record)
            self.assertNotIn("content_markdown", record)
        self.fx.close()
        self.fx = Fixture()
        self.fx.write_feeds("/feeds/record-v2.xml")
        record = self.run_once(content_format="html+markdown")[PAGE_TITLE]
        self.assertIn("<h2>What the residents said</h2>", record["content_html"])
        markdown = record["content_markdown"]
        self.assertIn("## What the residents said", markdown)
        self.assertIn("[two locks](%s)" % self.fx.url("/water/locks.html"), markdown)
        self.assertRegex(markdown, re.compile(r"^- Shopkeepers said", re.M))


if __name__ == "__main__":
    unittest.main()
