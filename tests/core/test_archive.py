"""test_archive.py: the raw page archive (archive = yes) and `feedspool reextract`.

The daemon fetches generated articles over loopback HTTP with the archive on; every WARC
file is then read by an independent reader (webrecorder's warcio.js, installed by
scripts/install-warcio) and each record's archive pointer must lead to a response record
whose payload is byte for byte what the server served, with correct digests and a request
record beside it. Then the topic rules change and reextract writes revision 2 of exactly
the records whose topics changed, once, however often it is SIGKILLed; and retention
removes the oldest files, after which reextract names the records it cannot rebuild."""
import base64
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import BIN, SOURCE, Fixture  # noqa: E402
import natsserver  # noqa: E402

ITEMS = 40
READER_DIR = os.path.join(os.path.dirname(os.path.abspath(BIN)), "npm-warcio")


def warcio_records(path):
    """Every record of a WARC file as warcio.js reads it."""
    subprocess.run([os.path.join(SOURCE, "scripts", "install-warcio"), READER_DIR], check=True,
                   timeout=600)
    out = subprocess.run(["node", os.path.join(READER_DIR, "read.mjs"), path],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("warcio could not read %s: %s" % (path, out.stderr))
    return [json.loads(line) for line in out.stdout.splitlines()]


def sha1_base32(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def rules(*words):
    """Topic rules with one topic per word: tagged when the word appears."""
    return {"version": 1, "topics": [
        {"id": w, "description": "articles naming %s" % w, "threshold": 1,
         "terms": [{"term": w}]} for w in words]}


class Archive(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.make_site()
        self.rules = os.path.join(self.fx.dir, "topics.json")
        self.write_rules("quokka")
        self.fx.write_feeds("/gen/feed.xml")
        self.fx.write_config(archive="yes", topics=self.rules)

    def tearDown(self):
        self.fx.close()

    def write_rules(self, *words):
        with open(self.rules, "w") as f:
            json.dump(rules(*words), f)

    def make_site(self, prefix="a", count=ITEMS):
        """count articles; the odd ones name a wombat (no topic until the rules say so)."""
        root = os.path.join(self.fx.www, "gen")
        os.makedirs(root, exist_ok=True)
        items = []
        for i in range(count):
            animal = "wombat" if i % 2 else "quokka"
            body = "".join("<p>Paragraph %d of report %s%d: the %s was seen again near the "
                           "river, where observers counted it for the survey of the season."
                           "</p>\n" % (k, prefix, i, animal) for k in range(6))
            name = "%s%d.html" % (prefix, i)
            with open(os.path.join(root, name), "w") as f:
                f.write("<!doctype html><html><head><title>Report %s%d</title></head><body>"
                        "<article><h1>Report %s%d</h1>\n%s</article></body></html>\n"
                        % (prefix, i, prefix, i, body))
            items.append("<item><title>Report %s%d</title><link>%s</link><guid>%s%d</guid>"
                         "</item>" % (prefix, i, self.fx.url("/gen/" + name), prefix, i))
        with open(os.path.join(root, "feed.xml" if prefix == "a" else prefix + ".xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Generated</title>'
                    "<link>%s</link>%s</channel></rss>\n" % (self.fx.url("/gen/"), "".join(items)))

    def reextract(self, *args, timeout=120):
        return subprocess.run([BIN, "reextract", "-c", self.fx.config, *args],
                              capture_output=True, text=True, timeout=timeout)

    def archive_dir(self):
        return os.path.join(self.fx.dir, "archive")

    def test_every_page_reads_back_with_warcio_as_served(self):
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        records = self.fx.records()
        self.assertEqual(len(records), ITEMS)
        read = {}
        for name in os.listdir(self.archive_dir()):
            entries = warcio_records(os.path.join(self.archive_dir(), name))
            self.assertEqual(entries[0]["type"], "warcinfo")
            self.assertEqual(entries[0]["offset"], 0)
            for entry in entries:
                read[(name, entry["offset"])] = entry
            by_id = {e["id"]: e for e in entries}
            for e in entries[1:]:  # request and response name each other
                self.assertIn(e["type"], ("request", "response"))
                self.assertEqual(by_id[e["concurrent_to"]]["concurrent_to"], e["id"])
                self.assertEqual(by_id[e["concurrent_to"]]["uri"], e["uri"])
        for record in records.values():
            self.assertEqual(record["revision"], 1)
            entry = read[(record["archive"]["file"], record["archive"]["offset"])]
            self.assertEqual(entry["type"], "response")
            self.assertEqual(entry["uri"], record["url"])
            self.assertEqual(entry["status"], 200)
            payload = base64.b64decode(entry["payload"])
            path = record["url"].split("/", 3)[3]
            with open(os.path.join(self.fx.www, path), "rb") as f:
                self.assertEqual(payload, f.read())
            self.assertEqual(entry["payload_digest"], sha1_base32(payload))
            request = [e for e in read.values() if e["id"] == entry["concurrent_to"]][0]
            self.assertEqual(request["type"], "request")
            self.assertIn("user-agent", request["http_headers"])

    def revisions(self):
        """{record id: [revisions in new/ and cur/]}."""
        out = {}
        for folder in ("new", "cur"):
            for name in os.listdir(os.path.join(self.fx.spool, folder)):
                stem = name[:-5]
                rid, _, rev = stem.partition(".r")
                out.setdefault(rid, []).append(int(rev) if rev else 1)
        return {k: sorted(v) for k, v in out.items()}

    def test_reextract_writes_each_changed_record_once_as_revision_2(self):
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        first = self.fx.records()
        unchanged = self.reextract()
        self.assertEqual(unchanged.returncode, 0, unchanged.stderr)
        self.assertIn("%d archived records: 0 new revisions written, %d unchanged" % (ITEMS, ITEMS),
                      unchanged.stdout)
        for args, count in ((["--feed", self.fx.url("/gen/other.xml")], 0),
                            (["--since", "2100-01-01T00:00:00Z"], 0),
                            (["--since", "1d", "--feed", self.fx.url("/gen/feed.xml")], ITEMS)):
            chosen = self.reextract(*args)
            self.assertEqual(chosen.returncode, 0, chosen.stderr)
            self.assertIn("%d archived records: 0 new revisions" % count, chosen.stdout)
        bad = self.reextract("--since", "yesterday")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--since yesterday: not a time", bad.stderr)
        self.write_rules("quokka", "wombat")
        # Interrupted again and again: a consumer claims every revision it sees, so one
        # written twice would show up again in new/ (or as revision 3).
        kills = midway = 0
        for attempt in range(200):
            proc = subprocess.Popen([BIN, "reextract", "--topics-only", "-c", self.fx.config],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(random.uniform(0.005, 0.02 + 0.002 * attempt))  # later ones get further
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=60)
            self.claim_revisions()
            if proc.returncode == 0:
                break
            self.assertEqual(proc.returncode, -signal.SIGKILL, err)
            kills += 1
            written = len(os.listdir(os.path.join(self.fx.spool, "cur")))
            midway += 0 < written < ITEMS // 2
        done = self.reextract("--topics-only")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.claim_revisions()
        print("reextract killed %d times before a run finished, %d of them midway" % (kills, midway))
        revisions = self.revisions()
        wombats = {name[:-5] for name, r in first.items() if "wombat" in r["text"]}
        self.assertEqual(len(wombats), ITEMS // 2)
        for name, record in first.items():
            rid = name[:-5]
            self.assertEqual(revisions[rid], [1, 2] if rid in wombats else [1], rid)
        for rid in wombats:
            with open(os.path.join(self.fx.spool, "cur", rid + ".r2.json")) as f:
                rev2 = json.load(f)
            self.assertEqual(rev2["revision"], 2)
            self.assertEqual(rev2["id"], rid)
            self.assertEqual(rev2["topic_ids"], ["wombat"])
            old = first[rid + ".json"]
            self.assertEqual(old["topic_ids"], [])
            for key in ("text", "fetched", "story", "archive", "url", "title"):
                self.assertEqual(rev2[key], old[key], key)
        again = self.reextract()  # the whole extraction, same rules: nothing changed
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("0 new revisions written, %d unchanged" % ITEMS, again.stdout)
        self.assertEqual(self.revisions(), revisions)

    def claim_revisions(self):
        new = os.path.join(self.fx.spool, "new")
        for name in os.listdir(new):
            if ".r" in name:
                os.rename(os.path.join(new, name), os.path.join(self.fx.spool, "cur", name))

    def test_reextract_refuses_while_the_daemon_runs(self):
        daemon = self.fx.start_daemon()
        try:
            self.fx.wait_for(lambda: len(self.fx.records()) == ITEMS, timeout=60,
                             what="the daemon's records")
            busy = self.reextract()
            self.assertEqual(busy.returncode, 5, busy.stderr)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=30)

    def test_retention_removes_the_oldest_files_and_reextract_says_so(self):
        self.fx.write_config(archive="yes", topics=self.rules, archive_max_file_bytes="4K",
                             archive_max_bytes="40K")
        result = self.fx.once()
        self.assertEqual(result.returncode, 0, result.stderr)
        files = sorted(os.listdir(self.archive_dir()))
        total = sum(os.path.getsize(os.path.join(self.archive_dir(), f)) for f in files)
        self.assertLessEqual(total, 40 * 1024)
        self.assertIn("archive file removed", result.stderr)
        records = self.fx.records()
        gone = {n[:-5] for n, r in records.items() if r["archive"]["file"] not in files}
        kept = set(n[:-5] for n in records) - gone
        self.assertTrue(gone and kept, (len(gone), len(kept)))
        self.write_rules("quokka", "wombat")
        out = self.reextract()
        self.assertEqual(out.returncode, 1, out.stderr)
        for rid in gone:
            self.assertIn("record %s: cannot rebuild:" % rid, out.stderr)
        self.assertIn("no longer in the archive (removed by archive_max_bytes or archive_max_age)",
                      out.stderr)
        self.assertIn("%d whose page is no longer in the archive" % len(gone), out.stdout)
        revised = {rid for rid, revs in self.revisions().items() if 2 in revs}
        self.assertEqual(revised, {rid for rid in kept if "wombat" in records[rid + ".json"]["text"]})
        # The text is kept in the state: re-tagging needs no page.
        retag = self.reextract("--topics-only")
        self.assertEqual(retag.returncode, 0, retag.stderr)
        revised = {rid for rid, revs in self.revisions().items() if 2 in revs}
        self.assertEqual(revised, {n[:-5] for n, r in records.items() if "wombat" in r["text"]})

    @unittest.skipUnless(natsserver.available(), "nats-server is not installed")
    def test_a_revision_reaches_jetstream_as_a_message_of_its_own(self):
        nats = natsserver.NatsServer(self.fx.dir)
        try:
            nats.create_stream("ARTICLES", "feedspool.articles.>")
            self.fx.write_config(archive="yes", topics=self.rules, nats_servers=nats.url,
                                 nats_stream="ARTICLES")
            result = self.fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            # Nats-Msg-Id is FILE-STEM:TOPIC, a message for each of the record's topics
            first = sorted(m[1].split(":")[0] for m in nats.messages("ARTICLES"))
            self.assertEqual(len(first), ITEMS)
            self.write_rules("quokka", "wombat")
            out = self.reextract("--topics-only")
            self.assertEqual(out.returncode, 0, out.stderr)
            published = subprocess.run([BIN, "publish", "-c", self.fx.config],
                                       capture_output=True, text=True, timeout=120)
            self.assertEqual(published.returncode, 0, published.stderr)
            self.assertIn("published %d records" % (ITEMS // 2), published.stdout)
            ids = [m[1] for m in nats.messages("ARTICLES")]
            self.assertEqual(len(ids), len(set(ids)))
            revised = sorted(set(i.split(":")[0] for i in ids if i.split(":")[0].endswith(".r2")))
            self.assertEqual(len(revised), ITEMS // 2)
            self.assertTrue(all(i[:-3] in first for i in revised))
        finally:
            nats.stop()


if __name__ == "__main__":
    unittest.main()
