#!/usr/bin/env python3
"""fuzz/seed_corpora.py OUT HARNESS...: fills OUT/<harness>/ with seed inputs taken from
tests/data (and ../shared/eval too, when it is beside the clone) and the repository's own
fixtures (only the first time: a corpus that already exists keeps what earlier runs found).
Files are named by content hash."""
import glob
import gzip
import hashlib
import json
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where the evaluation data may be: the repository's own copy first, then ../shared.
DATA = [os.path.join(root, "tests", "data"), os.path.join(os.path.dirname(root), "shared")]
MAX = 256 * 1024


def in_data(*parts):
    """The glob pattern of parts under each place the evaluation data may be."""
    return [os.path.join(d, *parts) for d in DATA]


def files(*patterns):
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    yield f.read()[:MAX]


def html_pages():
    yield from files(os.path.join(root, "sample", "pages", "*.html"),
                     os.path.join(root, "tests", "www", "pages", "**", "*.html"))
    pages = sorted({os.path.basename(p): p for d in DATA
                    for p in glob.glob(os.path.join(d, "eval", "scrapinghub", "html", "*.gz"))}.values())
    for path in pages[:60]:
        with gzip.open(path) as f:
            yield b"\x00" + f.read()[:MAX]  # first byte: the harness's charset choice


def feeds():
    yield from files(*in_data("eval", "feeds", "**", "*.xml"), *in_data("eval", "feeds", "**", "*.rss"),
                     *in_data("eval", "feeds", "**", "*.atom"),
                     os.path.join(root, "sample", "feeds", "*"),
                     os.path.join(root, "tests", "www", "feeds", "**", "*"),
                     os.path.join(root, "fuzz", "seeds", "feed", "*"))  # the forgiving forms


def json_feeds():
    yield from files(os.path.join(root, "fuzz", "seeds", "json_feed", "*.json"))


def articles():
    for path in sorted(p for pattern in in_data("eval", "topics", "*.jsonl") for p in glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= 80:
                    break
                case = json.loads(line)
                yield ((case.get("headline") or "") + "\n" + (case.get("text") or "")).encode()[:MAX]


def rules():
    yield from files(os.path.join(root, "topics", "*.json"), os.path.join(root, "tests", "topics", "*.json"))


def configs():
    yield from files(os.path.join(root, "etc", "feedspool.conf"))
    yield b"spool = /tmp/s\nmax_per_host = 3\nlog_level = debug\nhost_min_gap = 250\nallow_networks = 127.0.0.0/8\n"


def feedlists():
    yield from files(os.path.join(root, "etc", "feeds.txt"), os.path.join(root, "sample", "feeds.txt"))
    yield b'https://a.example/f name="A News" interval=10m topics=ttp,ceasefire\n# c\nhttp://b.example/\n'


def opml():
    yield (b'<?xml version="1.0"?><opml version="2.0" xmlns:feedspool="urn:feedspool:opml"><head><title>t</title></head><body>'
           b'<outline text="F"><outline text="A &amp; B" xmlUrl="https://a.example/f#x" feedspool:interval="600" '
           b'feedspool:topics="ttp"/></outline><outline title="T" xmlUrl="http://b.example/r s"/>'
           b'<outline xmlUrl="ftp://c.example/"/></body></opml>')
    # earlier findings, kept as seeds so every run tries them again
    yield from files(os.path.join(root, "fuzz", "seeds", "opml", "*.xml"))


def sitemaps():
    # first byte: the harness's options (bit 0: sitemap=yes, bit 1: a recency cut-off)
    yield from files(os.path.join(root, "fuzz", "seeds", "sitemap", "*"))
    for data in feeds():
        yield b"\x01" + data


def discovery_pages():
    for data in html_pages():
        yield data[1:] if data.startswith(b"\x00") else data
    yield (b'<html><head><base href="/b/"><link rel="Alternate feed" type="application/rss+xml; '
           b'charset=utf-8" href=" r.xml "><link rel=alternate type=application/json href=//x/f>')


def credentials():
    yield (b"# c\nhttps://a.example/feeds/  reader:two words\nhttp://b.example bob:\n"
           b"failed: http://u:p@h/x and ftp://x:y@z, mail@example.com\n")


def warc_records():
    """Decompressed WARC records of each kind the archive writes (the harness compresses)."""
    page = b"<html><body><p>Text.</p></body></html>"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
        len(page), page)
    request = b"GET / HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n"
    info = b"software: feedspool\r\nformat: WARC File Format 1.1\r\n"
    for kind, ctype, block in (("response", b"application/http;msgtype=response", http),
                               ("request", b"application/http;msgtype=request", request),
                               ("warcinfo", b"application/warc-fields", info)):
        yield (b"WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:0>\r\n"
               b"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: http://a.example/\r\n"
               b"Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n"
               % (kind.encode(), ctype, len(block), block))


def log_values():
    yield b'a title="x\\" y=1\x00http://u:p@h/?a=b c'
    yield b"line\nnext \xff\xc3( \xe2\x80\xa8 \x01\x00key=\"v\" message=forged"


def robots_files():
    yield (b"User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\n"
           b"User-Agent: feedspool\nUser-agent: other\nDisallow:/\nAllow:/example/page.html\n"
           b"Crawl-delay: 2.5\nSitemap: https://a.example/s.xml\n\nUser-Agent: quxbot\n")
    yield b"\xef\xbb\xbfuser-agent : FeedSpool/1.0 # us\r\ndisallow: /a%2fb/*%7E$\rallow: /caf\xc3\xa9\n"


SOURCES = {"feed": feeds, "json_feed": json_feeds, "extract": html_pages,
           "content_html": html_pages, "tagger": articles,
           "rules": rules, "config": configs, "feedlist": feedlists, "opml": opml,
           "credentials": credentials, "log": log_values, "sitemap": sitemaps,
           "discover": discovery_pages, "robots": robots_files, "warc": warc_records}

out = sys.argv[1]
for harness in sys.argv[2:]:
    directory = os.path.join(out, harness)
    if os.path.isdir(directory) and os.listdir(directory):
        continue
    os.makedirs(directory, exist_ok=True)
    for data in SOURCES[harness]():
        with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
