"""topics_eval.py: the default rules on the labelled topic sets, scored by the eval's own
score.py: macro F1 at least FLOOR on each of dev.jsonl and dev-v2.jsonl and on both together;
the two halves of both together (split by a hash of the id, as development used them) are
reported; and the five seed articles get both topics each.
Usage: topics_eval.py EVAL_DIR SEEDS_DIR FEEDSPOOL RULES"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

FLOOR = {"dev.jsonl": 0.96, "dev-v2.jsonl": 0.96, "both": 0.97}
eval_dir, seeds_dir, binary, rules = sys.argv[1:5]


def macro_f1(rows, label):
    """Tags rows with the binary and scores them with score.py; prints the report's table."""
    with tempfile.TemporaryDirectory() as tmp:
        gold = os.path.join(tmp, "gold.jsonl")
        pred = os.path.join(tmp, "pred.jsonl")
        with open(gold, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        with open(pred, "w", encoding="utf-8") as f:
            subprocess.run([binary, "tag", "--rules", rules, "--jsonl", gold], stdout=f, check=True)
        report = subprocess.run([sys.executable, os.path.join(eval_dir, "score.py"), gold, pred],
                                capture_output=True, text=True, check=True).stdout
    print("== %s (%d articles)" % (label, len(rows)))
    print(report)
    return float(re.search(r"macro F1 ([0-9.]+)", report).group(1))


def read(name):
    with open(os.path.join(eval_dir, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


ok = True
both = []
for name in ("dev.jsonl", "dev-v2.jsonl"):
    rows = read(name)
    both += rows
    macro = macro_f1(rows, name)
    if macro < FLOOR[name]:
        print("%s: macro F1 %.3f is below %.2f" % (name, macro, FLOOR[name]))
        ok = False
macro = macro_f1(both, "dev + dev-v2")
if macro < FLOOR["both"]:
    print("dev + dev-v2: macro F1 %.3f is below %.2f" % (macro, FLOOR["both"]))
    ok = False
for half in (0, 1):
    macro_f1([r for r in both if hashlib.sha1(r["id"].encode()).digest()[0] % 2 == half],
             "half %s of dev + dev-v2 (sha1 of the id, first byte %s)" % ("AB"[half],
                                                                          ("even", "odd")[half]))
for path in sorted(glob.glob(os.path.join(seeds_dir, "00*.txt"))):
    out = subprocess.run([binary, "tag", "--rules", rules, path], capture_output=True, text=True,
                         check=True).stdout
    topics = sorted(t["id"] for t in json.loads(out)["topics"])
    print(path, topics)
    if topics != ["ceasefire", "ttp"]:
        ok = False
sys.exit(0 if ok else 1)
