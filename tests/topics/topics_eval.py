"""topics_eval.py: the default rules on DATA_DIR/eval/topics/dev.jsonl (macro F1 >= 0.95 with
the eval's own scorer) and on the five seed articles (both topics each).
Usage: topics_eval.py DATA_DIR FEEDSPOOL RULES (DATA_DIR: tests/data)"""
import glob
import json
import re
import subprocess
import sys
import tempfile

shared, binary, rules = sys.argv[1:4]
ok = True
with tempfile.NamedTemporaryFile("w+", suffix=".jsonl") as pred:
    subprocess.run([binary, "tag", "--rules", rules, "--jsonl", shared + "/eval/topics/dev.jsonl"],
                   stdout=pred, check=True)
    pred.flush()
    report = subprocess.run([sys.executable, shared + "/eval/topics/score.py",
                             shared + "/eval/topics/dev.jsonl", pred.name],
                            capture_output=True, text=True, check=True).stdout
print(report)
macro = float(re.search(r"macro F1 ([0-9.]+)", report).group(1))
if macro < 0.95:
    print("macro F1 %.3f is below 0.95" % macro)
    ok = False
for path in sorted(glob.glob(shared + "/seeds/00*.txt")):
    out = subprocess.run([binary, "tag", "--rules", rules, path], capture_output=True, text=True,
                         check=True).stdout
    topics = sorted(t["id"] for t in json.loads(out)["topics"])
    print(path, topics)
    if topics != ["ceasefire", "ttp"]:
        ok = False
sys.exit(0 if ok else 1)
