#!/usr/bin/env python3
"""ingest_site.py: the site bench/ingest serves, and the floor it compares against.

  ingest_site.py generate WWW FEEDS ITEMS HOSTS PORT URLS PAGE...
      FEEDS RSS 2.0 feeds of ITEMS items each, feed i on host f<i mod HOSTS>.localhost; item
      j of feed i links to /a/<k>/<i>-<j>.html on host a<(i*ITEMS+j) mod HOSTS>.localhost,
      where k cycles through the real article pages given (copied, decompressed, to
      WWW/pages/<k>.html; nginx maps /a/<k>/... to that file). URLS gets one feed URL a line.
  ingest_site.py roll WWW FEEDS ITEMS HOSTS PORT NPAGES ROUND
      Rewrites the FEEDS feeds (each file replaced at once) with the items of round ROUND:
      ITEMS new ones each, numbered after those of the rounds before (bench/ingest --soak).
  ingest_site.py fsync DIR N
      Prints the wall and the CPU seconds (user + system) that writing N 8 KB files takes the
      way a record is made durable (write to a temporary name, fsync, rename, fsync the
      folder): the floor's I/O part.

Everything is deterministic: the same arguments give the same bytes."""
import gzip
import os
import re
import sys
import time

EPOCH = 1764633600  # 2025-12-02 00:00 UTC: items' dates count back from it


def rss_date(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def feed_text(i, items, feeds, hosts, port, pages, round_=0):
    host = "f%04d.localhost" % (i % hosts)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
           "<title>Ingest bench feed %d</title><link>http://%s:%d/</link>" % (i, host, port),
           "<description>Generated feed %d for bench/ingest</description>" % i]
    for j in range(round_ * items, (round_ + 1) * items):
        n = round_ * feeds * items + i * items + j % items
        link = "http://a%04d.localhost:%d/a/%d/%d-%d.html" % (n % hosts, port, n % pages, i, j)
        date = EPOCH - n * 60 if round_ == 0 else EPOCH + n  # (later rounds: newer items)
        out.append("<item><title>Feed %d, story %d</title><link>%s</link><guid>%s</guid>"
                   "<pubDate>%s</pubDate><description>Story %d of feed %d.</description></item>"
                   % (i, j, link, link, rss_date(date), j, i))
    out.append("</channel></rss>\n")
    return "\n".join(out)


def without_canonical(page):
    """The page with its canonical URL hints (<link rel=canonical>, og:url) renamed away: each
    item's copy of a page is then an article of its own URL, a near copy of the others (nginx
    adds the item's token to its text), written as a record marked with its story, as
    syndicated copies are; with the page's own canonical URL every copy after the first would
    be an exact copy, only listed in sources.jsonl."""
    page = re.sub(rb"(rel\s*=\s*[\"']?)canonical\b", rb"\1x-canonical", page, flags=re.I)
    return re.sub(rb"og:url\b", b"og:x-url", page, flags=re.I)


def generate(www, feeds, items, hosts, port, urls, page_paths):
    os.makedirs(os.path.join(www, "pages"), exist_ok=True)
    os.makedirs(os.path.join(www, "feeds"), exist_ok=True)
    for k, path in enumerate(page_paths):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as src, open(os.path.join(www, "pages", "%d.html" % k), "wb") as dst:
            dst.write(without_canonical(src.read()))
    with open(urls, "w") as u:
        for i in range(feeds):
            with open(os.path.join(www, "feeds", "%d.xml" % i), "w") as f:
                f.write(feed_text(i, items, feeds, hosts, port, len(page_paths)))
            u.write("http://f%04d.localhost:%d/feeds/%d.xml\n" % (i % hosts, port, i))


def roll(www, feeds, items, hosts, port, pages, round_):
    for i in range(feeds):
        path = os.path.join(www, "feeds", "%d.xml" % i)
        with open(path + ".tmp", "w") as f:
            f.write(feed_text(i, items, feeds, hosts, port, pages, round_))
        os.replace(path + ".tmp", path)


def fsync_floor(folder, n):
    os.makedirs(folder, exist_ok=True)
    body = b"x" * 8192
    dfd = os.open(folder, os.O_RDONLY)
    start, cpu_start = time.monotonic(), time.process_time()
    for k in range(n):
        tmp = os.path.join(folder, "%d.tmp" % k)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, body)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(folder, "%d.json" % k))
        os.fsync(dfd)
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu_start
    os.close(dfd)
    print("%.3f %.3f" % (elapsed, cpu))


def main(argv):
    if len(argv) >= 8 and argv[1] == "generate":
        generate(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]), argv[7], argv[8:])
    elif len(argv) == 9 and argv[1] == "roll":
        roll(argv[2], *(int(a) for a in argv[3:9]))
    elif len(argv) == 4 and argv[1] == "fsync":
        fsync_floor(argv[2], int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
