#!/usr/bin/env python3
"""Cross-validation halves of a feed conformance run.

Usage: python3 tests/feeds/halves.py RESULTS.json [--failures A|B]

RESULTS.json is what shared/eval/feeds/check.py writes with --json. A case is in half A
when the first byte of sha256("feedspool-half:" + file) is even, else in half B (a hash
independent of the dev/heldout split, which used sha256 of the path itself). Prints
passed/total per half; with --failures, the failing cases of that half and why.
"""
import hashlib
import json
import sys


def half(case_file):
    return "A" if hashlib.sha256(("feedspool-half:" + case_file).encode()).digest()[0] % 2 == 0 else "B"


def main():
    results = json.load(open(sys.argv[1]))
    show = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--failures" else None
    for h in "AB":
        mine = [r for r in results if half(r["file"]) == h]
        ok = sum(1 for r in mine if r["ok"])
        print(f"half {h}: {ok}/{len(mine)} passed ({100.0 * ok / max(len(mine), 1):.1f} %)")
        if show == h:
            for r in mine:
                if not r["ok"]:
                    print(f"  FAIL {r['file']}: {r['why'][:300]}")


if __name__ == "__main__":
    main()
