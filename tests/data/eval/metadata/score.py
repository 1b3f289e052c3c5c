#!/usr/bin/env python3
"""score.py: the metadata extraction of `feedspool extract --json` against labels.jsonl.

Each labelled page (scrapinghub or WCXB, under ../<set>/html/<id>.html.gz) is extracted with
its URL, and five fields are compared with the labels (README.md says how they were made):

  title      equal after Unicode NFKC, case folding, straight quotes and dashes, one space;
             a label may list several headlines the page gives its article (h1, og:title)
  authors    the same set of names (normalised as titles); [] means the page names none
  published  day: the same UTC calendar day (a label without a time of day is a day);
             exact: the same instant to the minute, over the labels that have a time
  site       equal after case folding, without "www.", a final .com/.org/.net/... and
             anything not a letter or digit (so "USA TODAY" = "usatoday"); several forms
             may be listed
  lang       the same primary language subtag

A null label (published) is matched only by null. Prints accuracy per field for each half
(A, B: by a hash of the page id) and set, or with --json the same figures as an object.

Usage: score.py [--binary build/feedspool] [--json] [--show-misses A|B]
"""
import argparse
import datetime
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["title", "authors", "published_day", "published_exact", "site", "lang"]


def norm_text(s):
    s = unicodedata.normalize("NFKC", s).casefold()
    s = re.sub(r"[‘’‚‛′`´]", "'", s)
    s = re.sub(r"[“”„‟″]", '"', s)
    s = re.sub(r"[‐‑‒–—―]", "-", s)
    return " ".join(s.split())


def norm_site(s):
    s = norm_text(s)
    s = re.sub(r"^(https?://)?(www\.)?", "", s)
    s = re.sub(r"\.(com|org|net|co\.uk|com\.br|fr|de|io)/?$", "", s)
    return re.sub(r"[^\w]", "", s)


def parse_when(text):
    """(UTC datetime, has_time) of an ISO 8601 date or date-time."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc), False
    when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc), True


def as_list(v):
    return v if isinstance(v, list) else [v]


def judge(label, got):
    """{field: True/False, or None when the field does not apply to this page}."""
    out = {}
    titles = [norm_text(t) for t in as_list(label["title"])]
    out["title"] = norm_text(got.get("title") or "") in titles
    # (A binary from before record v2 gives one "author" string: it counts as one name.)
    names = got["authors"] if "authors" in got else [got["author"]] if got.get("author") else []
    out["authors"] = {norm_text(a) for a in label["authors"]} == {norm_text(a) for a in names}
    want, got_when = label["published"], got.get("published")
    if want is None:
        out["published_day"] = got_when is None
        out["published_exact"] = None
    else:
        day, has_time = parse_when(want)
        mine = parse_when(got_when)[0] if got_when else None
        out["published_day"] = mine is not None and mine.date() == day.date()
        out["published_exact"] = (mine is not None and abs((mine - day).total_seconds()) < 60
                                  if has_time else None)
    out["site"] = norm_site(got.get("site") or "") in [norm_site(s) for s in as_list(label["site"])]
    out["lang"] = (got.get("lang") or "") == label["lang"]
    return out


def extract(binary, page, url):
    with gzip.open(page) as f, tempfile.NamedTemporaryFile(suffix=".html") as tmp:
        tmp.write(f.read())
        tmp.flush()
        result = subprocess.run([binary, "extract", "--json", tmp.name, "--url", url],
                                capture_output=True, text=True, timeout=120)
    return json.loads(result.stdout) if result.returncode == 0 else {}


def score(binary, show_misses=None):
    labels = [json.loads(line) for line in open(os.path.join(HERE, "labels.jsonl"))]
    tally = {}
    for label in labels:
        page = os.path.join(HERE, "..", label["set"], "html", label["id"] + ".html.gz")
        got = extract(binary, page, label["url"])
        for field, ok in judge(label, got).items():
            if ok is None:
                continue
            for group in (label["half"], label["half"] + "/" + label["set"], "all"):
                right, total = tally.setdefault(group, {}).get(field, (0, 0))
                tally[group][field] = (right + ok, total + 1)
            if show_misses == label["half"] and not ok:
                key = {"published_day": "published", "published_exact": "published"}.get(field,
                                                                                          field)
                print("miss %s %s/%s: label %r, got %r" % (field, label["set"], label["id"],
                                                          label[key], got.get(key)),
                      file=sys.stderr)
    return {g: {f: {"right": r, "of": n, "accuracy": round(r / n, 3)} for f, (r, n) in fs.items()}
            for g, fs in sorted(tally.items())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="build/feedspool")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-misses", metavar="HALF", help="list the misses of half A or B")
    args = ap.parse_args()
    figures = score(args.binary, args.show_misses)
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print("%-16s" % "group" + "".join("%17s" % f for f in FIELDS))
    for group, fs in figures.items():
        cells = ["%.3f (%d/%d)" % (fs[f]["accuracy"], fs[f]["right"], fs[f]["of"]) if f in fs
                 else "-" for f in FIELDS]
        print("%-16s" % group + "".join("%17s" % c for c in cells))


if __name__ == "__main__":
    main()
