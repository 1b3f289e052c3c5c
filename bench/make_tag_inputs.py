"""make_tag_inputs.py: the inputs of bench/tag, generated from tests/data/eval (never committed).

Writes OUT/corpus.txt (about 64 MB: the 181 scrapinghub article bodies and the labelled topic
articles, repeated), OUT/rules-5000.json (5,000 terms: names and phrases drawn from the corpus'
capitalised word pairs, plus invented names that never occur) and OUT/terms-default.txt /
OUT/terms-5000.txt (the same terms one per line, for grep -F).
Usage: make_tag_inputs.py DATA_DIR DEFAULT_RULES OUT_DIR (DATA_DIR: tests/data)"""
import itertools
import json
import os
import random
import re
import sys

data, default_rules, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
truth = json.load(open(os.path.join(data, "eval/scrapinghub/ground-truth.json"), encoding="utf-8"))
texts = [v["articleBody"] for v in truth.values()]
for line in open(os.path.join(data, "eval/topics/dev.jsonl"), encoding="utf-8"):
    row = json.loads(line)
    texts.append(row["headline"] + "\n" + row["text"])
block = "\n\n".join(texts) + "\n\n"
repeat = 64_000_000 // len(block.encode("utf-8")) + 1
with open(os.path.join(out, "corpus.txt"), "w", encoding="utf-8") as f:
    f.write(block * repeat)

random.seed(42)
pairs = sorted(set(re.findall(r"\b([A-Z][a-z]{2,} [A-Z][a-z]{2,})\b", block)))
random.shuffle(pairs)
terms = pairs[:3000]
letters = "abcdefghijklmnopqrstuvwxyz"
while len(terms) < 5000:
    word = random.choice(letters).upper() + "".join(random.choice(letters) for _ in range(random.randint(5, 10)))
    terms.append(word + " " + random.choice(["Group", "Front", "Movement", "Council", "Brigade"]))
topics = [{"id": "topic%02d" % i, "threshold": 3, "terms": terms[i::50]} for i in range(50)]
json.dump({"version": 1, "topics": topics}, open(os.path.join(out, "rules-5000.json"), "w"),
          ensure_ascii=False)
with open(os.path.join(out, "terms-5000.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(terms) + "\n")



def spellings(written, separators, acronym):
    """The spellings a written term stands for, as topics/rules.c expands them: each {a|b}
    one of its choices, with separators each space or hyphen between words also the other or
    nothing, with acronym the all-letter ones also dotted."""
    parts = re.split(r"(\{[^}]*\})", written)
    choices = [p[1:-1].split("|") if p.startswith("{") else [p] for p in parts]
    found = ["".join(c) for c in itertools.product(*choices)]
    if separators:
        found = ["".join(c) for s in found
                 for c in itertools.product(*[[x] if x not in " -" else ["-", " ", ""]
                                              for x in re.split(r"(?<=\w)([ -])(?=\w)", s)])]
    if acronym:
        found += [d for s in found if s.isalpha() for d in (".".join(s) + ".", ".".join(s))]
    return found


rules = json.load(open(default_rules, encoding="utf-8"))
default_terms = []
for topic in rules["topics"]:
    for t in topic["terms"]:
        if isinstance(t, str):
            t = {"term": t}
        for written in [t["term"]] + t.get("aliases", []):
            default_terms.extend(spellings(written, t.get("separators"), t.get("acronym")))
    for near in topic.get("near", []):
        default_terms.extend(w for w in near["words"] + near["with"] if isinstance(w, str))
with open(os.path.join(out, "terms-default.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(default_terms) + "\n")
print("corpus %.1f MB, %d generated terms, %d default terms" % (
    len(block.encode("utf-8")) * repeat / 1e6, len(terms), len(default_terms)))
