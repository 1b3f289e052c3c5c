"""story_set.py: precision and recall of "same story" on a test set built here.

Pairs, each labelled same story or not:
  * templates: one article behind three different sites' furniture (what cleaning can leave)
  * cut:       an article and its first 60 % (a shortened syndication)
  * rewrites:  the three seeds that are one Dawn report rewritten by three outlets
  * same event, different report: seeds 000-002 against 003 (another report, days later)
  * different events: seed 004 (months later) against the others
  * same boilerplate: two unrelated articles wrapped in identical site furniture
  * unrelated: random pairs of the 181 scrapinghub articles
Texts come from tests/data/eval/scrapinghub (true article bodies) and the seed pages (through
`feedspool extract`). Each pair goes through `feedspool similar`, the daemon's own decision.
Prints precision and recall overall and per kind; fails below P 0.95 or R 0.90."""
import json
import os
import random
import subprocess
import sys
import tempfile

BIN = os.environ.get("FEEDSPOOL_BIN", "build/feedspool")
SOURCE = os.environ.get("FEEDSPOOL_SOURCE", os.getcwd())
DATA = os.path.join(SOURCE, "tests", "data")

TEMPLATES = [
    ("Home | World | Pakistan | Sport | Opinion\nShare this article\n",
     "\nFollow us on Twitter and Facebook.\nSupport our journalism: subscribe today.\n"),
    ("Breaking News Ticker: markets close higher; storm warning issued\nBy Staff Reporter\n",
     "\nRead more:\nGovernment announces new budget\nFloods hit northern districts\n"),
    ("Advertisement\nPublished: 2 hours ago\n",
     "\nSource link\nAll rights reserved. Copying without permission is prohibited.\n"),
]


def main():
    truth = json.load(open(os.path.join(DATA, "eval", "scrapinghub", "ground-truth.json")))
    bodies = [v["articleBody"] for _, v in sorted(truth.items()) if len(v["articleBody"].split()) > 150]
    rng = random.Random(20261202)
    rng.shuffle(bodies)
    seeds = {}
    for i in range(5):
        page = os.path.join(SOURCE, "sample", "pages", "seed-%03d.html" % i)
        seeds[i] = subprocess.run([BIN, "extract", page], capture_output=True, text=True,
                                  check=True).stdout
    pairs = []  # (kind, text a, text b, same)
    for t in bodies[:12]:
        wrapped = [h + t + f for h, f in TEMPLATES]
        pairs += [("templates", wrapped[0], wrapped[1], True), ("templates", wrapped[1], wrapped[2], True),
                  ("templates", wrapped[0], wrapped[2], True)]
    for t in bodies[12:24]:
        pairs.append(("cut", t, t[:len(t) * 6 // 10], True))
    pairs += [("rewrites", seeds[a], seeds[b], True) for a, b in ((0, 1), (0, 2), (1, 2))]
    pairs += [("same event", seeds[a], seeds[3], False) for a in (0, 1, 2)]
    pairs += [("different events", seeds[a], seeds[4], False) for a in (0, 1, 2, 3)]
    h, f = TEMPLATES[0]
    for i in range(24, 44, 2):
        pairs.append(("same boilerplate", h + bodies[i] + f, h + bodies[i + 1] + f, False))
    for _ in range(60):
        a, b = rng.sample(range(44, len(bodies)), 2)
        pairs.append(("unrelated", bodies[a], bodies[b], False))

    with tempfile.TemporaryDirectory() as d:
        verdicts = []
        for n, (kind, a, b, same) in enumerate(pairs):
            pa, pb = os.path.join(d, "%da.txt" % n), os.path.join(d, "%db.txt" % n)
            open(pa, "w").write(a)
            open(pb, "w").write(b)
            out = subprocess.run([BIN, "similar", pa, pb], capture_output=True, text=True,
                                 check=True).stdout
            verdicts.append(("same" in out.split()[-2:] or out.strip().endswith("same text"), out))
    kinds = {}
    tp = fp = fn = 0
    for (kind, _, _, same), (said_same, out) in zip(pairs, verdicts):
        k = kinds.setdefault(kind, [0, 0])
        k[0] += said_same == same
        k[1] += 1
        tp += same and said_same
        fp += (not same) and said_same
        fn += same and not said_same
        if said_same != same:
            print("wrong: %s: %s" % (kind, out.strip()))
    for kind, (right, total) in kinds.items():
        print("%-18s %3d/%3d right" % (kind, right, total))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print("same story: precision %.3f recall %.3f (pairs %d, same %d)" % (
        precision, recall, len(pairs), tp + fn))
    return 0 if precision >= 0.95 and recall >= 0.90 else 1


if __name__ == "__main__":
    sys.exit(main())
