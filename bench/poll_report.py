#!/usr/bin/env python3
"""poll_report.py: bench/poll's figures, from nginx's access log and /usr/bin/time.

  poll_report.py cycle TOOL CYCLE LOG FROM TO TIMEFILE   one cycle as a JSON line: the log's
                                              bytes FROM..TO (its requests), TIMEFILE's
                                              "wall user sys maxrss_kb" line
  poll_report.py table RESULTS FEEDS HOSTS     the table of every cycle's JSON line, ratios, goals
Log lines are "$msec $request_time $host $status $request_uri" (bench/poll's log_format).
A request runs from $msec - $request_time to $msec (millisecond resolution); overlaps
are counted with both ends included, so the concurrency shown is an upper bound."""
import collections
import json
import sys


def cycle(tool, name, log, start, end, timefile):
    with open(log, "rb") as f:
        f.seek(start)
        lines = f.read(end - start).decode().splitlines()
    per_url = collections.Counter()
    statuses = collections.Counter()
    spans = collections.defaultdict(list)
    for line in lines:
        msec, request_time, host, status, uri = line.split()[:5]
        finish = float(msec)
        spans[host].append((finish - float(request_time), finish))
        per_url[(host, uri)] += 1
        statuses[status] += 1
    max_concurrent, min_gap = 0, None
    for host_spans in spans.values():
        events = sorted([(s, 0) for s, _ in host_spans] + [(e, 1) for _, e in host_spans])
        running = 0
        for _, kind in events:  # at equal times starts sort first: both ends included
            running += 1 if kind == 0 else -1
            max_concurrent = max(max_concurrent, running)
        starts = sorted(s for s, _ in host_spans)
        for a, b in zip(starts, starts[1:]):
            min_gap = b - a if min_gap is None else min(min_gap, b - a)
    with open(timefile) as f:
        wall, user, system, rss_kb = f.read().split()[-4:]
    return {"tool": tool, "cycle": name, "requests": len(lines), "statuses": dict(statuses),
            "repeated_urls": sum(1 for n in per_url.values() if n > 1),
            "max_per_host": max_concurrent, "min_gap_ms": None if min_gap is None else round(min_gap * 1000),
            "wall": float(wall), "cpu": float(user) + float(system), "rss_mb": int(rss_kb) / 1024}


def table(results, feeds, hosts):
    rows = [json.loads(line) for line in open(results)]
    by = {(r["tool"], r["cycle"]): r for r in rows}
    cycles = [c for c in ("first", "second", "all-304", "10%-changed")
              if ("feedspool", c) in by or ("newsboat", c) in by]
    print("%d feeds on %d hosts; per cycle: wall s, CPU s (user+sys), requests/s, peak RSS MB, "
          "statuses, max concurrent per host, least gap between starts to one host, URLs asked twice"
          % (feeds, hosts))
    print("%-12s %-10s %8s %7s %8s %7s  %-22s %5s %8s %6s" % (
        "cycle", "tool", "wall", "CPU", "req/s", "RSS", "statuses", "host", "gap ms", "twice"))
    for c in cycles:
        for tool in ("feedspool", "newsboat"):
            r = by.get((tool, c))
            if not r:
                continue
            r["rate"] = r["requests"] / r["wall"] if r["wall"] else 0
            statuses = " ".join("%s:%d" % kv for kv in sorted(r["statuses"].items()))
            print("%-12s %-10s %8.2f %7.2f %8.0f %7.1f  %-22s %5d %8s %6d" % (
                c, tool, r["wall"], r["cpu"], r["rate"], r["rss_mb"], statuses, r["max_per_host"],
                r["min_gap_ms"], r["repeated_urls"]))
        ours, peer = by.get(("feedspool", c)), by.get(("newsboat", c))
        if ours and peer and peer["rate"] and ours["cpu"]:
            print("%-12s feedspool/newsboat: %.1fx the requests/s, %.2fx the wall time, "
                  "%.2fx the CPU, %.2fx the RSS" % (
                      c, ours["rate"] / peer["rate"], ours["wall"] / peer["wall"],
                      ours["cpu"] / peer["cpu"], ours["rss_mb"] / peer["rss_mb"]))
    r = by.get(("feedspool", "all-304"))
    peer = by.get(("newsboat", "all-304"))
    if not r:
        return
    rss = max(x["rss_mb"] for x in rows if x["tool"] == "feedspool")
    ratio = r["rate"] / peer["rate"] if peer and peer["rate"] else float("nan")
    twice = sum(x["repeated_urls"] for x in rows if x["tool"] == "feedspool")
    over = max(x["max_per_host"] for x in rows if x["tool"] == "feedspool")

    def verdict(ok):
        return "met" if ok else "NOT met"
    peer_goal = ("%.1fx newsboat's requests/s >= 5x %s" % (ratio, verdict(ratio >= 5))
                 if peer else "newsboat not run")
    print("goals: all-304 wall %.2f s <= 5 s %s; CPU %.2f s <= 2 s %s; peak RSS %.1f MB <= 64 MB %s; "
          "%s; URLs asked twice in a cycle: %d; "
          "most concurrent requests to one host: %d (max_per_host 2)" % (
              r["wall"], verdict(r["wall"] <= 5), r["cpu"], verdict(r["cpu"] <= 2), rss,
              verdict(rss <= 64), peer_goal, twice, over))


if __name__ == "__main__":
    if sys.argv[1] == "cycle":
        print(json.dumps(cycle(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                               int(sys.argv[6]), sys.argv[7])))
    elif sys.argv[1] == "table":
        table(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
