#!/usr/bin/env python3
"""poll_feeds.py: the feeds bench/poll serves, and the 10 % change between cycles.

  poll_feeds.py generate WWW FEEDS HOSTS PORT URLS  N RSS 2.0 feeds of 20 items, spread
                                                         round-robin over HOSTS host names
                                                         (hNNNN.localhost); URLS gets one URL a line
  poll_feeds.py change WWW FEEDS PERCENT            every (100/PERCENT)th feed gains one item
                                                         (the oldest drops out), written anew
Feed i lives at /feeds/i.xml on its host; item links point at /articles/i/n.html (the bench
fetches no pages). Everything is deterministic: the same arguments give the same bytes."""
import os
import sys

ITEMS = 20
EPOCH = 1764633600  # 2025-12-02 00:00 UTC, the items' dates count back from it


def host_of(i, hosts):
    return "h%04d.localhost" % (i % hosts)


def rss_date(t):
    import time
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def feed_text(i, newest, host, port):
    """Feed i whose newest item is number `newest` (items newest .. newest-19)."""
    base = "http://%s:%d" % (host, port)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
           "<title>Bench feed %d</title><link>%s/</link>" % (i, base),
           "<description>Generated feed %d for bench/poll</description>" % i]
    for n in range(newest, newest - ITEMS, -1):
        link = "%s/articles/%d/%d.html" % (base, i, n)
        out.append("<item><title>Feed %d, story %d: a headline of ordinary length</title>"
                   "<link>%s</link><guid>%s</guid><pubDate>%s</pubDate>"
                   "<description>Story %d of feed %d. A summary of two sentences, as feeds "
                   "usually carry; nothing in it matters to the bench.</description></item>"
                   % (i, n, link, link, rss_date(EPOCH - (1000 - n) * 3600), n, i))
    out.append("</channel></rss>\n")
    return "\n".join(out)


def write_feed(www, i, newest, host, port):
    path = os.path.join(www, "feeds", "%d.xml" % i)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(feed_text(i, newest, host, port))
    os.replace(tmp, path)


def main(argv):
    if argv[1] == "generate":
        www, feeds, hosts, port, urls = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6]
        os.makedirs(os.path.join(www, "feeds"), exist_ok=True)
        with open(urls, "w") as u:
            for i in range(feeds):
                host = host_of(i, hosts)
                write_feed(www, i, 1000, host, port)
                u.write("http://%s:%d/feeds/%d.xml\n" % (host, port, i))
        with open(os.path.join(www, "layout"), "w") as f:
            f.write("%d %d %d\n" % (feeds, hosts, port))
    elif argv[1] == "change":
        www, feeds, percent = argv[2], int(argv[3]), int(argv[4])
        with open(os.path.join(www, "layout")) as f:
            _, hosts, port = (int(x) for x in f.read().split())
        step = 100 // percent
        for i in range(0, feeds, step):
            write_feed(www, i, 1001, host_of(i, hosts), port)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
