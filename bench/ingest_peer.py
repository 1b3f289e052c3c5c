#!/usr/bin/env python3
"""ingest_peer.py: what a data engineer would write instead of feedspool, for bench/ingest.

  ingest_peer.py URLS OUTDIR THREADS

Reads the feed URLs (one a line), fetches and parses every feed with feedparser, then fetches
every item's page with requests in a pool of THREADS threads, extracts the article with
readability-lxml, and writes one JSON file per article: to a temporary name, fsynced, renamed,
and the folder fsynced, as feedspool makes a record durable. Debian's python3-feedparser,
python3-requests and python3-readability. Host names under .localhost resolve to 127.0.0.1,
as libcurl resolves them for feedspool (RFC 6761), so both reach the same server the same way.
Prints `peer articles N failed M`."""
import concurrent.futures
import hashlib
import json
import os
import socket
import sys
import threading

import feedparser
import lxml.html
import readability
import requests

_getaddrinfo = socket.getaddrinfo


def _localhost_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _localhost_getaddrinfo
_local = threading.local()


def session():
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def fetch_feed(url):
    response = session().get(url, timeout=30)
    response.raise_for_status()
    parsed = feedparser.parse(response.content)
    return [(url, entry.get("link"), entry.get("title"), entry.get("id")) for entry in parsed.entries]


def write_durably(outdir, name, record):
    tmp = os.path.join(outdir, "tmp", name)
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(outdir, "new", name))
    folder = os.open(os.path.join(outdir, "new"), os.O_RDONLY)
    os.fsync(folder)
    os.close(folder)


def fetch_article(item):
    feed_url, link, title, guid = item
    try:
        response = session().get(link, timeout=30)
        response.raise_for_status()
        document = readability.Document(response.text)
        text = lxml.html.fromstring(document.summary()).text_content().strip()
    except Exception as e:  # a bad page is counted, as feedspool counts it, and skipped
        print("peer: %s: %s" % (link, e), file=sys.stderr)
        return False
    record = {"url": link, "feed": feed_url, "title": title or document.short_title(),
              "item_id": guid, "text": text}
    write_durably(sys.argv[2], hashlib.sha256(link.encode()).hexdigest()[:32] + ".json", record)
    return True


def main():
    urls_file, outdir, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for sub in ("tmp", "new"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    urls = [line.strip() for line in open(urls_file) if line.strip()]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        items = [item for items in pool.map(fetch_feed, urls) for item in items if item[1]]
        written = sum(pool.map(fetch_article, items))
    print("peer articles %d failed %d" % (written, len(items) - written))


if __name__ == "__main__":
    main()
