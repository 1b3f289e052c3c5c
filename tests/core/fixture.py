"""fixture.py: helpers the end-to-end tests share.

Starts the fixture HTTP server (tests/fixture_server.c) on 127.0.0.1 over a
web root assembled from sample/ and tests/www/, writes configuration files,
runs the real feedspool binary, and reads the spool and the state database.
"""
import json

import jsonschema
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

BIN = os.environ.get("FEEDSPOOL_BIN", "build/feedspool")
FIXTURE_SERVER = os.environ.get("FIXTURE_SERVER", "build/tests/fixture_server")
SOURCE = os.environ.get("FEEDSPOOL_SOURCE", os.getcwd())
with open(os.path.join(SOURCE, "output", "schema", "feedspool.article.v2.json")) as _f:
    RECORD_SCHEMA = json.load(_f)


def closed_schema(schema):
    """The record schema with no member it does not list allowed: what the tests hold the
    daemon's own records to (consumers get the open schema, docs/record.md)."""
    if isinstance(schema, dict):
        closed = {k: closed_schema(v) for k, v in schema.items()}
        if "properties" in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [closed_schema(v) for v in schema]
    return schema


CLOSED_RECORD_SCHEMA = closed_schema(RECORD_SCHEMA)


class Fixture:
    """A temporary folder with a web root, a running fixture server and a config."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="feedspool-test-")
        self.www = os.path.join(self.dir, "www")
        shutil.copytree(os.path.join(SOURCE, "sample"), self.www)
        shutil.copytree(os.path.join(SOURCE, "tests", "www"), self.www, dirs_exist_ok=True)
        self.request_log = os.path.join(self.dir, "requests.log")
        self.server = subprocess.Popen([FIXTURE_SERVER, self.www, self.request_log],
                                       stdout=subprocess.PIPE, text=True)
        self.base = self.server.stdout.readline().strip()
        assert self.base.startswith("http://127.0.0.1:"), self.base
        self.spool = os.path.join(self.dir, "spool")
        self.state = os.path.join(self.dir, "state.db")
        self.feeds = os.path.join(self.dir, "feeds.txt")
        self.config = os.path.join(self.dir, "feedspool.conf")
        self.write_config()

    def write_config(self, **extra):
        options = {
            "feeds": self.feeds,
            "topics": os.path.join(SOURCE, "topics", "default-topics.json"),
            "spool": self.spool,
            "state": self.state,
            "log_level": "info",
            "poll_interval": "1h",
            "poll_jitter": "0s",
            "connect_timeout": "2s",
            "transfer_timeout": "3s",
            "low_speed_time": "2s",
            "retry_delay": "1s",
            "stop_timeout": "5s",
            "host_min_gap": "0ms",  # the fixture is local; test_etiquette checks the gap
            "allow_networks": "127.0.0.0/8",  # article links point at the fixture server
        }
        options.update(extra)
        with open(self.config, "w") as f:
            f.write("# written by the tests\n")
            for key, value in options.items():
                f.write("%s = %s\n" % (key, value))

    def write_feeds(self, *paths):
        with open(self.feeds, "w") as f:
            for p in paths:
                f.write("%s%s\n" % (self.base, p))

    def url(self, path):
        return self.base + path

    def once(self, *args, timeout=60):
        return subprocess.run([BIN, "once", "-c", self.config, *args], capture_output=True,
                              text=True, timeout=timeout)

    def start_daemon(self, *args):
        return subprocess.Popen([BIN, "run", "-c", self.config, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def records(self):
        """Every record in new/, keyed by file name, parsed and checked against the schema."""
        new = os.path.join(self.spool, "new")
        out = {}
        if not os.path.isdir(new):
            return out
        for name in sorted(os.listdir(new)):
            with open(os.path.join(new, name), encoding="utf-8") as f:
                record = json.load(f)
            jsonschema.validate(record, CLOSED_RECORD_SCHEMA)
            out[name] = record
        return out

    def tmp_files(self):
        return os.listdir(os.path.join(self.spool, "tmp"))

    def item_states(self):
        db = sqlite3.connect(self.state)
        try:
            return {row[0]: row[1] for row in db.execute("SELECT key, state FROM items")}
        finally:
            db.close()

    def state_counts(self):
        """Item counts by state; empty while the daemon has not created its tables yet."""
        db = sqlite3.connect(self.state)
        try:
            return dict(db.execute("SELECT state, count(*) FROM items GROUP BY state").fetchall())
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return {}
            raise
        finally:
            db.close()

    def requests(self):
        if not os.path.exists(self.request_log):
            return []
        with open(self.request_log) as f:
            return [line.rstrip("\n") for line in f]

    def wait_for(self, predicate, timeout=20, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out waiting for " + what)

    def close(self):
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def by_title(records):
    return {r["title"]: r for r in records.values()}
