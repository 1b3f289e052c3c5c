"""test_stories.py: one story, many copies, end to end against the fixture server.

The seeds as pages with their sites' clutter: 000, 001 and 002 (one Dawn report, rewritten
and cut by three outlets) share one story id in whatever order they arrive; 003 (another
report of the event) and 004 (a later event) each have their own. An exact copy at another
address is not written again but listed in SPOOL/sources.jsonl; with copies = first only the
first of a story is written and the rest are listed."""
import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture, by_title  # noqa: E402
from test_e2e import SEED_TITLES  # noqa: E402


def seed_feed(fx, name, order, extra_items=""):
    items = "".join(
        "<item><title>%s</title><link>{{BASE}}/pages/seed-%s.html</link>"
        "<guid isPermaLink=\"false\">%s-%s</guid></item>" % (SEED_TITLES[s].replace("&", "&amp;"), s, name, s)
        for s in order)
    with open(os.path.join(fx.www, "feeds", name), "w") as f:
        f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>%s%s"
                "</channel></rss>" % (name, items, extra_items))


def sources(fx):
    path = os.path.join(fx.spool, "sources.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


class Stories(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()

    def tearDown(self):
        self.fx.close()

    def check_seed_stories(self, records):
        titles = by_title(records)
        seed = {s: titles[t] for s, t in SEED_TITLES.items()}
        first = seed["000"]["story"]
        self.assertEqual({seed[s]["story"] for s in ("000", "001", "002")}, {first})
        self.assertNotEqual(seed["003"]["story"], first)
        self.assertNotEqual(seed["004"]["story"], first)
        self.assertNotEqual(seed["003"]["story"], seed["004"]["story"])
        self.assertEqual(seed["003"]["story"], seed["003"]["id"])
        self.assertIsNone(seed["003"]["duplicate_of"])
        story_records = [r for r in records.values() if r["story"] == first]
        self.assertEqual(sum(r["id"] == first for r in story_records), 1, "the story is its first record")
        for r in story_records:
            if r["id"] != first:
                self.assertIn(r["duplicate_of"], {x["id"] for x in story_records})
                self.assertGreater(r["similarity"], 0)

    def test_seeds_in_either_order(self):
        for order in (["000", "001", "002", "003", "004"], ["004", "002", "003", "001", "000"]):
            fx = Fixture()
            try:
                seed_feed(fx, "seeds.xml", order)
                fx.write_feeds("/feeds/seeds.xml")
                fx.write_config(max_per_host="1")  # one at a time: the order is the feed's
                result = fx.once()
                self.assertEqual(result.returncode, 0, result.stderr)
                records = fx.records()
                self.assertEqual(len(records), 5)
                self.check_seed_stories(records)
                self.assertEqual(sources(fx), [])
            finally:
                fx.close()

    def test_exact_copy_elsewhere_is_listed_not_written(self):
        shutil.copy(os.path.join(self.fx.www, "pages", "seed-003.html"),
                    os.path.join(self.fx.www, "pages", "mirror-of-003.html"))
        seed_feed(self.fx, "seeds.xml", ["003"],
                  "<item><title>Mirrored</title><link>{{BASE}}/pages/mirror-of-003.html</link></item>")
        self.fx.write_feeds("/feeds/seeds.xml")
        self.fx.write_config(max_per_host="1")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = self.fx.records()
        self.assertEqual(len(records), 1)
        (first,) = records.values()
        listed = sources(self.fx)
        self.assertEqual(len(listed), 1)
        self.assertTrue(listed[0]["exact"])
        self.assertEqual(listed[0]["duplicate_of"], first["id"])
        self.assertEqual(listed[0]["story"], first["id"])
        # (which of the two is first depends on which extraction thread finishes first)
        urls = {listed[0]["url"].rsplit("/", 1)[1], first["url"].rsplit("/", 1)[1]}
        self.assertEqual(urls, {"seed-003.html", "mirror-of-003.html"})
        self.assertIn("copy of an earlier article listed as a source", result.stderr)
        again = self.fx.once()
        self.assertEqual(len(sources(self.fx)), 1, "listed once")

    def test_copies_first_writes_only_the_first(self):
        seed_feed(self.fx, "seeds.xml", ["000", "001", "002", "003", "004"])
        self.fx.write_feeds("/feeds/seeds.xml")
        self.fx.write_config(max_per_host="1", copies="first")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        titles = by_title(self.fx.records())
        # One of the story's three seeds is written (whichever extraction thread finished
        # first), the other two listed as its sources.
        story = {SEED_TITLES[s] for s in ("000", "001", "002")}
        written = set(titles) & story
        self.assertEqual(len(written), 1, titles)
        self.assertEqual(set(titles) - story, {SEED_TITLES[s] for s in ("003", "004")})
        listed = sources(self.fx)
        self.assertEqual(sorted(l["title"] for l in listed), sorted(story - written))
        first = titles[written.pop()]["id"]
        for line in listed:
            self.assertEqual(line["story"], first)
            self.assertFalse(line["exact"])
            self.assertGreater(line["similarity"], 0)


if __name__ == "__main__":
    unittest.main()
