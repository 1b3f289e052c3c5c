"""test_records.py: the record gate in front of new/.

A record over max_record_bytes, or one that fails the record schema, goes to
SPOOL/quarantine/ with a log line and its item is given up (not retried): consumers
never see it. The daemon's schema check (`feedspool spool validate`, the same code) must
agree with python3-jsonschema on the shipped schema for valid records and for every kind
of broken one."""
import copy
import glob
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, RECORD_SCHEMA, Fixture  # noqa: E402


class Quarantine(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.fx.write_feeds("/feeds/south-asia.xml", "/feeds/frontier.atom")

    def tearDown(self):
        self.fx.close()

    def test_oversized_records_are_quarantined_not_spooled(self):
        self.fx.write_config(max_record_bytes="4K")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        quarantined = glob.glob(os.path.join(self.fx.spool, "quarantine", "*.json"))
        spooled = self.fx.records()
        self.assertGreater(len(quarantined), 0)
        self.assertEqual(len(quarantined) + len(spooled), 7)
        for record in spooled.values():
            self.assertLessEqual(len(json.dumps(record)), 4096 + 512)
        for path in quarantined:
            with open(path) as f:
                entry = json.load(f)
            self.assertIn("over max_record_bytes (4096)", entry["reason"])
            self.assertGreater(entry["bytes"], 4096)
            self.assertIsNone(entry["record"])
            name = os.path.basename(path)
            self.assertNotIn(name, spooled)
            self.assertIn("record quarantined record=%s" % name[:-5], result.stderr)
        db = sqlite3.connect(self.fx.state)
        failed = db.execute("SELECT COUNT(*) FROM items WHERE state = 'failed'").fetchone()[0]
        db.close()
        self.assertEqual(failed, len(quarantined))
        stats = subprocess.run([BIN, "spool", "stats", "--json", "--spool", self.fx.spool],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(json.loads(stats.stdout)["quarantined"], len(quarantined))
        # Given up, not retried: a second run writes nothing more.
        again = self.fx.once()
        self.assertEqual(again.returncode, 0)
        self.assertEqual(len(glob.glob(os.path.join(self.fx.spool, "quarantine", "*.json"))),
                         len(quarantined))
        self.assertEqual(len(self.fx.records()), len(spooled))


def mutations(record):
    """(name, broken record) pairs, one per way a record can break the schema."""
    def changed(fn):
        r = copy.deepcopy(record)
        fn(r)
        return r
    yield "missing text", changed(lambda r: r.pop("text"))
    yield "missing feed.url", changed(lambda r: r["feed"].pop("url"))
    yield "wrong schema", changed(lambda r: r.update(schema="other"))
    yield "wrong version", changed(lambda r: r.update(schema_version=1))
    yield "authors a string", changed(lambda r: r.update(authors="A. Writer"))
    yield "authors repeat", changed(lambda r: r.update(authors=["A", "A"]))
    yield "lang not a subtag", changed(lambda r: r.update(lang="en-US"))
    yield "lang_source unknown", changed(lambda r: r.update(lang_source="guess"))
    yield "categories not strings", changed(lambda r: r.update(categories=[1]))
    yield "content_html a number", changed(lambda r: r.update(content_html=1))
    yield "id not hex", changed(lambda r: r.update(id="XYZ" + r["id"][3:]))
    yield "id too short", changed(lambda r: r.update(id=r["id"][:-1]))
    yield "title a number", changed(lambda r: r.update(title=5))
    yield "bad published", changed(lambda r: r.update(published="2026-11-20 08:00"))
    yield "published number", changed(lambda r: r.update(published=1700000000))
    yield "bad fetched", changed(lambda r: r.update(fetched=None))
    # Members the schema does not list are allowed (docs/record.md: consumers ignore them).
    yield "extra member", changed(lambda r: r.update(colour="red"))
    yield "extra feed member", changed(lambda r: r["feed"].update(x=1))
    yield "empty text", changed(lambda r: r.update(text=""))
    yield "bad text_source", changed(lambda r: r.update(text_source="cache"))
    yield "topic_ids repeat", changed(lambda r: r.update(topic_ids=["ttp", "ttp"]))
    yield "topic_ids not strings", changed(lambda r: r.update(topic_ids=[1]))
    yield "topic without score", changed(lambda r: r["topics"][0].pop("score"))
    yield "evidence count 0", changed(lambda r: r["topics"][0]["evidence"][0].update(count=0))
    yield "evidence where", changed(lambda r: r["topics"][0]["evidence"][0].update(where="title"))
    yield "evidence offset float", changed(lambda r: r["topics"][0]["evidence"][0].update(offset=1.5))
    yield "topics not array", changed(lambda r: r.update(topics={}))
    yield "record an array", [record]


class SchemaAgreement(unittest.TestCase):
    def test_daemon_check_agrees_with_jsonschema(self):
        fx = Fixture()
        try:
            fx.write_feeds("/feeds/south-asia.xml")
            self.assertEqual(fx.once().returncode, 0)
            record = next(r for r in fx.records().values() if r["topics"])
        finally:
            fx.close()
        cases = [("valid", record)] + list(mutations(record))
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, (name, value) in enumerate(cases):
                path = os.path.join(d, "%02d.json" % i)
                with open(path, "w") as f:
                    json.dump(value, f)
                paths.append(path)
            result = subprocess.run([BIN, "spool", "validate", *paths], capture_output=True,
                                    text=True, timeout=30)
            verdicts = dict(line.split(": ", 1) for line in result.stdout.splitlines())
        for (name, value), path in zip(cases, paths):
            try:
                jsonschema.validate(value, RECORD_SCHEMA)
                expected_ok = True
            except jsonschema.ValidationError:
                expected_ok = False
            self.assertEqual(verdicts[path] == "ok", expected_ok, (name, verdicts[path]))
        self.assertEqual(verdicts[paths[0]], "ok")
        self.assertEqual(result.returncode, 1)


if __name__ == "__main__":
    unittest.main()
