"""test_alerts.py: the shipped Prometheus alert rules and Grafana dashboard against a live daemon.

`promtool check rules` accepts the rules; `promtool test rules` shows that the lag, the
failing-feeds, the every-feed-failing, the fetching-paused and the failed-reload alerts fire
on such series and stay quiet otherwise; a running daemon (with a
real nats-server, so the sink's metrics are there too) is scraped, the scrape passes
`promtool check metrics` (Prometheus' naming conventions), and every metric that an alert or
a dashboard panel names is in that scrape (histograms by their _bucket/_sum/_count series);
and when the NATS server goes away, /readyz answers 503 saying so and the status page shows
the sink disconnected."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import SOURCE, Fixture  # noqa: E402
import natsserver  # noqa: E402

RULES = os.path.join(SOURCE, "etc", "prometheus", "feedspool-alerts.yml")
DASHBOARD = os.path.join(SOURCE, "etc", "grafana", "feedspool-dashboard.json")
METRIC = re.compile(r"\b(?:feedspool|process)_[a-z0-9_]+")

# Series for `promtool test rules`: one instance lags and most of its feeds fail, one does not.
RULE_TESTS = """
rule_files: [%s]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'feedspool_spool_oldest_record_age_seconds{instance="lagging"}'
        values: '4000+60x30'
      - series: 'feedspool_spool_oldest_record_age_seconds{instance="keeping-up"}'
        values: '5x30'
      - series: 'feedspool_feeds{instance="lagging",state="failing"}'
        values: '8x40'
      - series: 'feedspool_feeds{instance="lagging",state="ok"}'
        values: '2x40'
      - series: 'feedspool_feeds{instance="keeping-up",state="failing"}'
        values: '1x40'
      - series: 'feedspool_feeds{instance="keeping-up",state="ok"}'
        values: '9x40'
      - series: 'feedspool_feeds{instance="cut-off",state="failing"}'
        values: '5x40'
      - series: 'feedspool_feeds{instance="cut-off",state="ok"}'
        values: '0x40'
      - series: 'feedspool_fetching_paused{instance="lagging",reason="spool_full"}'
        values: '1x40'
      - series: 'feedspool_fetching_paused{instance="lagging",reason="write_failure"}'
        values: '0x40'
      - series: 'feedspool_fetching_paused{instance="keeping-up",reason="spool_full"}'
        values: '0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1'
      - series: 'feedspool_config_last_reload_successful{instance="lagging"}'
        values: '1x40'
      - series: 'feedspool_config_last_reload_successful{instance="keeping-up"}'
        values: '1 1 0x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: FeedspoolConsumersBehind
        exp_alerts:
          - exp_labels: {severity: warning, instance: lagging}
            exp_annotations:
              summary: "records wait in new/ for over an hour on lagging: consumers are behind or stopped"
      - eval_time: 35m
        alertname: FeedspoolMostFeedsFailing
        exp_alerts:
          - exp_labels: {severity: warning, instance: lagging}
            exp_annotations:
              summary: "over half of the feeds on lagging fail their polls"
          - exp_labels: {severity: warning, instance: cut-off}
            exp_annotations:
              summary: "over half of the feeds on cut-off fail their polls"
      - eval_time: 20m
        alertname: FeedspoolEveryFeedFailing
        exp_alerts:
          - exp_labels: {severity: critical, instance: cut-off}
            exp_annotations:
              summary: "every feed on cut-off fails its polls: the network or the proxy is down"
      - eval_time: 18m
        alertname: FeedspoolFetchingPaused
        exp_alerts:
          - exp_labels: {severity: warning, instance: lagging, reason: spool_full}
            exp_annotations:
              summary: "article fetching on lagging is paused (spool_full)"
      - eval_time: 10m
        alertname: FeedspoolReloadFailed
        exp_alerts:
          - exp_labels: {severity: warning, instance: keeping-up}
            exp_annotations:
              summary: "the last reload on keeping-up refused a file: the old one is still in force"
"""


def promtool(*args, stdin=None):
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True, timeout=60)


def scraped_names(text):
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def named_metrics():
    """{metric: where} for every feedspool metric an alert or a panel names."""
    out = {}
    with open(RULES) as f:
        for name in METRIC.findall(f.read()):
            out[name] = "alert rules"
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for name in METRIC.findall(target["expr"]):
                out[name] = "panel %r" % panel["title"]
    for variable in dashboard["templating"]["list"]:
        for name in METRIC.findall(variable.get("query", "")):
            out[name] = "variable %r" % variable["name"]
    return out


@unittest.skipUnless(shutil.which("promtool"), "promtool is not installed (scripts/install-deps installs prometheus)")
class RulesTest(unittest.TestCase):
    def test_rules_are_valid(self):
        result = promtool("check", "rules", RULES)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_alerts_fire_on_lag_and_failing_feeds_only(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "tests.yml")
            with open(path, "w") as f:
                f.write(RULE_TESTS % json.dumps(RULES))
            result = promtool("test", "rules", path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


@unittest.skipUnless(shutil.which("promtool") and natsserver.available(),
                     "promtool or nats-server is not installed (scripts/install-deps installs both)")
class LiveScrapeTest(unittest.TestCase):
    def setUp(self):
        self.fx = Fixture()
        self.nats = natsserver.NatsServer(self.fx.dir)
        self.nats.create_stream("ARTICLES", "feedspool.articles.>")
        self.port = natsserver.free_port()
        self.fx.write_config(metrics_address="127.0.0.1:%d" % self.port, nats_servers=self.nats.url,
                             nats_stream="ARTICLES", stop_timeout="3s")

    def tearDown(self):
        self.nats.stop()
        self.fx.close()

    def test_every_named_metric_is_served_and_the_scrape_follows_the_conventions(self):
        self.fx.write_feeds("/feeds/frontier.atom", "/feeds/missing.xml")
        daemon = self.fx.start_daemon()
        try:
            sent = os.path.join(self.fx.spool, "sent")
            self.fx.wait_for(lambda: os.path.isdir(sent) and len(os.listdir(sent)) == 3,
                             what="3 records published")
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port, timeout=5) as r:
                text = r.read().decode()
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)
        lint = promtool("check", "metrics", stdin=text)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
        served = scraped_names(text)
        wanted = named_metrics()
        self.assertGreater(len(wanted), 8)
        missing = {name: where for name, where in wanted.items()
                   if name not in served and not {name + "_bucket", name + "_count"} <= served}
        self.assertEqual(missing, {}, "named but not served")

    def test_readyz_and_the_status_page_say_when_the_sink_is_unreachable(self):
        self.fx.write_feeds("/feeds/frontier.atom")
        daemon = self.fx.start_daemon()
        base = "http://127.0.0.1:%d" % self.port
        try:
            sent = os.path.join(self.fx.spool, "sent")
            self.fx.wait_for(lambda: os.path.isdir(sent) and len(os.listdir(sent)) == 3,
                             what="3 records published")
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                self.assertEqual(r.read().decode(), "ready\n")
            self.nats.stop()

            def unready():
                try:
                    urllib.request.urlopen(base + "/readyz", timeout=5).close()
                except urllib.error.HTTPError as e:
                    self.body = e.read().decode()
                    return e.code == 503
                return False
            self.fx.wait_for(unready, what="/readyz answering 503")
            with urllib.request.urlopen(base + "/", timeout=5) as r:
                page = r.read().decode()
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=15)
        self.assertEqual(self.body, "sink unreachable: JetStream is disconnected\n")
        self.assertIn('<td class="bad">disconnected</td>', page)


if __name__ == "__main__":
    unittest.main()
