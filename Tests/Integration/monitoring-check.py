#!/usr/bin/env python3
"""Helpers of the monitoring integration tests (monitoring.test.sh, monitoring-config.test.sh).

Every command prints what it checked, names each thing that is wrong and exits 1 when anything is. Commands
that wait for Prometheus poll it until a deadline and then report what was still missing.

  prometheus-config    a test copy of deploy/monitoring/prometheus.yml: same jobs, rules and labels, test addresses
  alertmanager-config  a test copy of deploy/monitoring/alertmanager.yml with the Slack webhook file replaced
  dashboard-lint       the Grafana dashboard's structure against the provisioning files and the docs
  alerts-lint          every alert has a severity, summary, description and runbook section
  slack-sink           a stand-in for Slack's webhook endpoint on loopback, writing each message it gets
  targets-up           every configured target is up, with the shipped jobs and colours
  recorded             every recording rule has data from its latest evaluations
  rules-healthy        Prometheus evaluated every rule without error
  increasing           each series of each expression grows between two readings
  expressions          every PromQL expression of the dashboard and the alerts evaluates without error
  alert-state          an alert is (or is not) pending or firing in Prometheus
  has-series           an expression has a series with given labels
  alertmanager         Prometheus sends to the test Alertmanager
  slack-delivery       the alerts the Slack stand-in got, and the ones Alertmanager inhibited
"""

import argparse
import http.server
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

# Grafana's built-in intervals, as Grafana would expand them on a short dashboard range with the test's 1 s
# scrape interval: $__rate_interval is at least four scrape intervals.
GRAFANA_INTERVALS = {"__rate_interval": "15s", "__interval": "5s", "__range": "5m"}

# Metrics an expression may name although no Concierge exports them yet; each rule that reads one falls
# back (`or`) to a metric that exists.
NOT_YET_EXPORTED = {"concierge_model_created_timestamp_seconds"}

PROMQL_WORDS = {
    "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right",
    "inf", "nan", "atan2", "start", "end",
}


class Problems:
    """Collects what is wrong, prints each as it is found, and gives the exit status."""

    def __init__(self):
        self.count = 0

    def add(self, message):
        self.count += 1
        print(f"  wrong: {message}")

    def status(self):
        return 1 if self.count else 0


# ---------------------------------------------------------------------------------------------------------
# Test copies of the shipped configurations


def prometheus_config(args):
    shipped_path = Path(args.shipped).resolve()
    config = yaml.safe_load(shipped_path.read_text())
    addresses = dict(pair.split("=", 1) for pair in args.target)
    problems = Problems()

    config["global"].update(
        scrape_interval=args.interval, scrape_timeout=args.interval, evaluation_interval=args.interval)
    # rule_files are relative to the configuration; the test copy lives elsewhere.
    config["rule_files"] = [str(shipped_path.parent / pattern) for pattern in config["rule_files"]]
    if "alertmanager" not in addresses:
        problems.add("the test gave no alertmanager=HOST:PORT to send alerts to")
    for alertmanagers in config["alerting"]["alertmanagers"]:
        for static in alertmanagers["static_configs"]:
            static["targets"] = [addresses.get("alertmanager", "")]

    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            # A concierge target is known by its colour: concierge/blue, concierge/green.
            key = job["job_name"]
            if "color" in static.get("labels", {}):
                key += "/" + static["labels"]["color"]
            if key not in addresses:
                problems.add(f"the shipped configuration scrapes {key}, which the test has no address for")
                continue
            static["targets"] = [addresses.pop(key)]
    for key in addresses:
        if key != "alertmanager":
            problems.add(f"the test has an address for {key}, which the shipped configuration does not scrape")
    # Concierge's /metrics needs a key when serve has --api-keys: the test's stands in for the host's token file.
    for job in config["scrape_configs"]:
        if job["job_name"] != "concierge":
            continue
        if "credentials_file" not in job.get("authorization", {}):
            problems.add("the concierge job presents no API key (authorization: credentials_file)")
        else:
            job["authorization"]["credentials_file"] = args.credentials_file

    Path(args.out).write_text(yaml.safe_dump(config, sort_keys=False))
    print(f"wrote {args.out}: {len(config['scrape_configs'])} jobs, scrape and evaluation every {args.interval}")
    return problems.status()


def alertmanager_config(args):
    shipped_path = Path(args.shipped).resolve()
    config = yaml.safe_load(shipped_path.read_text())
    config["templates"] = [str(shipped_path.parent / pattern) for pattern in config["templates"]]
    replaced = 0
    for receiver in config["receivers"]:
        for slack in receiver.get("slack_configs", []):
            if "api_url" in slack:
                print("  wrong: a Slack receiver has its webhook URL in the file (api_url), not api_url_file")
                return 1
            slack["api_url_file"] = args.webhook_file
            replaced += 1
    if replaced == 0:
        print("  wrong: the shipped Alertmanager configuration has no Slack receiver")
        return 1
    Path(args.out).write_text(yaml.safe_dump(config, sort_keys=False))
    print(f"wrote {args.out}: {replaced} Slack receiver(s) reading {args.webhook_file}")
    return 0


# ---------------------------------------------------------------------------------------------------------
# The dashboard


# A dashboard variable's query: label_values(SELECTOR, LABEL).
LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")


def all_panels(panels):
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def dashboard_lint(args):
    problems = Problems()
    try:
        dashboard = json.loads(Path(args.dashboard).read_text())
    except json.JSONDecodeError as error:
        print(f"  wrong: {args.dashboard} is not JSON: {error}")
        return 1
    datasources = yaml.safe_load(Path(args.datasources).read_text())["datasources"]
    uids = {source["uid"] for source in datasources if source["type"] == "prometheus"}
    provider = yaml.safe_load(Path(args.providers).read_text())["providers"]
    if not provider or provider[0].get("type") != "file" or "path" not in provider[0].get("options", {}):
        problems.add(f"{args.providers} has no file provider with a path")

    for field in ("uid", "title", "schemaVersion", "panels", "templating"):
        if field not in dashboard:
            problems.add(f"the dashboard has no {field}")

    def check_datasource(owner, datasource):
        if not isinstance(datasource, dict) or datasource.get("uid") not in uids:
            problems.add(f"{owner} uses data source {datasource!r}; provisioned: {sorted(uids)}")

    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    for expected in ("color", "instance"):
        if expected not in variables:
            problems.add(f"the dashboard has no ${expected} variable")
    for variable in dashboard["templating"]["list"]:
        check_datasource(f"variable ${variable['name']}", variable.get("datasource"))
        if not LABEL_VALUES.match(variable.get("definition", "")):
            problems.add(f"variable ${variable['name']} is not a label_values(selector, label) query")

    ids, cells, expressions = set(), {}, 0
    for panel in all_panels(dashboard["panels"]):
        name = f"panel {panel.get('id')} ({panel.get('title')!r})"
        if not isinstance(panel.get("id"), int) or panel["id"] in ids:
            problems.add(f"{name} has a missing or repeated id")
        ids.add(panel.get("id"))
        if not panel.get("title"):
            problems.add(f"{name} has no title")
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(key), int) for key in ("x", "y", "w", "h")) or grid["x"] + grid["w"] > 24:
            problems.add(f"{name} has no place on the 24-column grid: {grid}")
            continue
        area = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])}
        overlapped = sorted({cells[cell] for cell in area if cell in cells})
        if overlapped:
            problems.add(f"{name} overlaps panel(s) {overlapped}")
        cells.update((cell, panel["id"]) for cell in area)
        if panel["type"] == "row":
            continue
        if not panel.get("description"):
            problems.add(f"{name} has no description for the on-call")
        check_datasource(name, panel.get("datasource"))
        targets = panel.get("targets", [])
        if not targets:
            problems.add(f"{name} has no query")
        references = [target.get("refId") for target in targets]
        if len(set(references)) != len(references):
            problems.add(f"{name} repeats a refId: {references}")
        for target in targets:
            check_datasource(f"{name} query {target.get('refId')}", target.get("datasource"))
            if not target.get("expr", "").strip():
                problems.add(f"{name} query {target.get('refId')} has no expression")
            expressions += 1
    docs = Path(args.docs).read_text()
    for panel in all_panels(dashboard["panels"]):
        if panel["type"] != "row" and f"**{panel['title']}**" not in docs:
            problems.add(f"panel {panel['title']!r} is not explained (as **{panel['title']}**) in {args.docs}")
    print(f"{args.dashboard}: {len(ids)} panels, {expressions} queries, variables {sorted(variables)}")
    return problems.status()


def github_anchors(markdown):
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as dashes."""
    anchors = set()
    for line in markdown.splitlines():
        heading = re.match(r"^#+\s+(.*)$", line)
        if heading:
            text = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def alerts_lint(args):
    """Every alert can be acted on: a severity, a summary, a description and a runbook section that exists."""
    problems = Problems()
    docs_path = Path(args.docs)
    anchors = github_anchors(docs_path.read_text())
    alerts = [rule for rule in rule_groups(args.rules) if "alert" in rule]
    for rule in alerts:
        name = rule["alert"]
        if rule.get("labels", {}).get("severity") not in ("page", "warning"):
            problems.add(f"{name} has severity {rule.get('labels', {}).get('severity')!r}, not page or warning")
        annotations = rule.get("annotations", {})
        for field in ("summary", "description", "runbook_url"):
            if not annotations.get(field, "").strip():
                problems.add(f"{name} has no {field}")
        if "Check first" not in annotations.get("description", ""):
            problems.add(f"{name}'s description does not say what to check first")
        runbook = annotations.get("runbook_url", "")
        page, _, anchor = runbook.partition("#")
        if page != str(docs_path.relative_to(args.repo)) or anchor not in anchors:
            problems.add(f"{name}'s runbook_url {runbook!r} is not a section of {docs_path.relative_to(args.repo)}")
    print(f"{len(alerts)} alerts, each with a severity, summary, description and runbook section")
    return problems.status()


# ---------------------------------------------------------------------------------------------------------
# Prometheus's HTTP API


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
            return json.load(response)["data"]

    def query(self, expr, **params):
        """The API's answer to an instant (or, with start/end/step, range) query: status, data or error."""
        path = "/api/v1/query_range" if "step" in params else "/api/v1/query"
        body = urllib.parse.urlencode({"query": expr, **params}).encode()
        try:
            with urllib.request.urlopen(f"{self.url}{path}", data=body, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.load(error)

    def vector(self, expr):
        answer = self.query(expr)
        if answer["status"] != "success":
            raise RuntimeError(f"{expr}: {answer.get('error')}")
        return answer["data"]["result"]


def poll(deadline_seconds, attempt):
    """Calls attempt() every half second until it returns no complaints or the deadline passes."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        complaints = attempt()
        if not complaints or time.monotonic() >= deadline:
            return complaints
        time.sleep(0.5)


def report(complaints, success):
    for complaint in complaints:
        print(f"  wrong: {complaint}")
    if not complaints:
        print(success)
    return 1 if complaints else 0


def targets_up(args):
    prometheus = Prometheus(args.prometheus)
    shipped = yaml.safe_load(Path(args.shipped).read_text())
    expected = set()
    for job in shipped["scrape_configs"]:
        for static in job["static_configs"]:
            expected.add((job["job_name"], static.get("labels", {}).get("color", "")))

    def attempt():
        active = prometheus.get("/api/v1/targets", state="active")["activeTargets"]
        seen = {(target["labels"]["job"], target["labels"].get("color", "")): target for target in active}
        complaints = [f"no target for job {job} {color}".rstrip() for job, color in sorted(expected - set(seen))]
        complaints += [
            f"{job} {color} at {target['scrapeUrl']} is {target['health']}: {target['lastError'] or 'not scraped yet'}"
            for (job, color), target in sorted(seen.items()) if target["health"] != "up"]
        return complaints

    return report(poll(args.deadline, attempt), f"all {len(expected)} targets are up: " + ", ".join(
        f"{job}{'/' + color if color else ''}" for job, color in sorted(expected)))


def rule_groups(paths):
    for path in paths:
        for group in yaml.safe_load(Path(path).read_text())["groups"]:
            yield from group["rules"]


def recorded(args):
    """Every recording rule has data written by a recent evaluation: a rule that fails now keeps its last
    samples visible for five minutes, so the age of the newest sample is what tells."""
    prometheus = Prometheus(args.prometheus)
    names = [rule["record"] for rule in rule_groups(args.rules) if "record" in rule]

    def attempt():
        complaints = []
        for name in names:
            ages = [float(sample["value"][1]) for sample in prometheus.vector(f"time() - timestamp({name})")]
            if not ages:
                complaints.append(f"{name} has no data")
            elif max(ages) > args.max_age:
                complaints.append(f"{name} was last written {max(ages):.1f} s ago (more than {args.max_age:g} s)")
        return complaints

    complaints = poll(args.deadline, attempt)
    if not complaints:
        for name in names:
            samples = ", ".join(
                f"{sample['metric'].get('color') or sample['metric'].get('job')}"
                f"{'/' + sample['metric']['strategy'] if 'strategy' in sample['metric'] else ''}"
                f"{'/le=' + sample['metric']['le'] if 'le' in sample['metric'] else ''}={float(sample['value'][1]):.4g}"
                for sample in prometheus.vector(name)[:4])
            print(f"  {name}: {samples}")
    return report(complaints, f"all {len(names)} recording rules have data")


def rules_healthy(args):
    prometheus = Prometheus(args.prometheus)
    groups = prometheus.get("/api/v1/rules")["groups"]
    loaded = [rule for group in groups for rule in group["rules"]]
    shipped = [rule.get("record") or rule.get("alert") for rule in rule_groups(args.rules)]
    complaints = [f"{name} is not loaded" for name in shipped if name not in {rule["name"] for rule in loaded}]

    def attempt():
        current = [rule for group in prometheus.get("/api/v1/rules")["groups"] for rule in group["rules"]]
        return [f"{rule['name']}: {rule['health']} {rule.get('lastError', '')}" for rule in current
                if rule["health"] != "ok"]

    complaints += poll(args.deadline, attempt)
    return report(complaints, f"all {len(loaded)} rules evaluate without error")


def increasing(args):
    prometheus = Prometheus(args.prometheus)
    first = {expr: {json.dumps(s["metric"], sort_keys=True): float(s["value"][1]) for s in prometheus.vector(expr)}
             for expr in args.expr}
    complaints = [f"{expr} has no data" for expr, values in first.items() if not values]
    if complaints:
        return report(complaints, "")
    latest = {}

    def attempt():
        stuck = []
        for expr, before in first.items():
            now = {json.dumps(s["metric"], sort_keys=True): float(s["value"][1]) for s in prometheus.vector(expr)}
            for series, value in before.items():
                latest[(expr, series)] = (value, now.get(series))
                if now.get(series) is None or now[series] <= value:
                    stuck.append(f"{expr} {series} stayed at {value} (now {now.get(series)})")
        return stuck

    complaints = poll(args.deadline, attempt)
    for (expr, series), (before, after) in latest.items():
        print(f"  {expr} {series}: {before:g} -> {after:g}")
    return report(complaints, "every counter grew")


# ---------------------------------------------------------------------------------------------------------
# Every expression of the dashboard and the alerts, against the live Prometheus


def metric_names(expr):
    """The metric names an expression reads: identifiers that are neither functions, keywords nor label names."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if not call and word.lower() not in PROMQL_WORDS:
            names.add(word)
    return names


def grafana_regex(values):
    """A multi-value variable as Grafana writes it into a =~ matcher: (a|b), regex characters escaped."""
    escaped = [re.sub(r"([\\^$*+?.()|\[\]{}])", r"\\\\\1", value) for value in values]
    return "(" + "|".join(escaped) + ")"


def substitute(expr, variables):
    for name, value in {**GRAFANA_INTERVALS, **variables}.items():
        expr = expr.replace("${" + name + "}", value)
        expr = re.sub(r"\$" + re.escape(name) + r"\b", lambda _: value, expr)
    return expr


def expressions(args):
    prometheus = Prometheus(args.prometheus)
    problems = Problems()
    dashboard = json.loads(Path(args.dashboard).read_text())

    # Each variable takes every value its own query finds, as "All" would.
    variables = {}
    for variable in dashboard["templating"]["list"]:
        match = LABEL_VALUES.match(variable["definition"])
        selector = substitute(match["selector"], variables)
        values = prometheus.get(f"/api/v1/label/{match['label']}/values", **{"match[]": selector})
        if not values:
            problems.add(f"variable ${variable['name']} ({variable['definition']}) finds no value")
        variables[variable["name"]] = grafana_regex(values)
        print(f"  ${variable['name']} = {variables[variable['name']]}")

    checks = []  # (where, expression, must it return data?)
    for panel in all_panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            checks.append((f"panel {panel['title']!r} {target['refId']}", substitute(target["expr"], variables), True))
    for rule in rule_groups(args.rules):
        if "alert" in rule:
            # An alert's expression is empty while nothing is wrong: it must only evaluate.
            checks.append((f"alert {rule['alert']}", rule["expr"], False))
        else:
            checks.append((f"recording rule {rule['record']}", rule["expr"], True))

    available = set(prometheus.get("/api/v1/label/__name__/values"))
    now = time.time()
    for where, expr, needs_data in checks:
        for name in sorted(metric_names(expr) - available - NOT_YET_EXPORTED):
            problems.add(f"{where} reads {name}, which Prometheus has no series of")
        instant = prometheus.query(expr)
        # A range query over the last minute, as a graph panel asks, finds matching errors that only
        # appear at some steps (many-to-many matches when a series comes or goes).
        ranged = prometheus.query(expr, start=now - 60, end=now, step="2s")
        for kind, answer in (("instant", instant), ("range", ranged)):
            if answer["status"] != "success":
                problems.add(f"{where}: {kind} query fails: {answer.get('error')}\n      {expr}")
        if needs_data and instant["status"] == "success" and not instant["data"]["result"]:
            problems.add(f"{where} returns no data\n      {expr}")
    print(f"{len(checks)} expressions evaluated (instant and over the last minute)")
    return problems.status()


def alert_state(args):
    prometheus = Prometheus(args.prometheus)
    selector = ", ".join(f'{key}="{value}"' for key, value in (label.split("=", 1) for label in args.label))
    expr = f'ALERTS{{alertname="{args.alert}"{", " + selector if selector else ""}}}'

    def attempt():
        active = prometheus.vector(expr)
        states = sorted({sample["metric"]["alertstate"] for sample in active})
        if args.expect == "active" and not active:
            return [f"{args.alert} {selector} is neither pending nor firing"]
        if args.expect == "inactive" and active:
            return [f"{args.alert} {selector} is {'/'.join(states)}: "
                    + "; ".join(json.dumps(sample["metric"], sort_keys=True) for sample in active)]
        return []

    complaints = poll(args.deadline, attempt)
    return report(complaints, f"{args.alert} {selector} is {args.expect}".replace("  ", " "))


def has_series(args):
    prometheus = Prometheus(args.prometheus)
    wanted = dict(label.split("=", 1) for label in args.label)

    def attempt():
        found = prometheus.vector(args.expr)
        if any(all(sample["metric"].get(key) == value for key, value in wanted.items()) for sample in found):
            return []
        return [f"{args.expr} has no series with {wanted}; it has "
                + ("; ".join(json.dumps(sample["metric"], sort_keys=True) for sample in found) or "none")]

    return report(poll(args.deadline, attempt), f"{args.expr} has a series with {wanted}")


def alertmanager(args):
    prometheus = Prometheus(args.prometheus)

    def attempt():
        active = [am["url"] for am in prometheus.get("/api/v1/alertmanagers")["activeAlertmanagers"]]
        return [] if any(args.alertmanager in url for url in active) else [
            f"Prometheus sends alerts to {active or 'no Alertmanager'}, not {args.alertmanager}"]

    return report(poll(args.deadline, attempt), f"Prometheus sends alerts to the Alertmanager at {args.alertmanager}")


# ---------------------------------------------------------------------------------------------------------
# Slack


def slack_sink(args):
    """Answers Slack's webhook like Slack does (200 "ok") and appends each message as one JSON line."""
    messages = Path(args.messages)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with messages.open("a") as out:
                out.write(json.dumps({"path": self.path, "body": json.loads(body)}) + "\n")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format, *arguments):
            print(format % arguments, flush=True)

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    Path(args.port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


def slack_delivery(args):
    problems = Problems()
    messages_path = Path(args.messages)

    def delivered():
        if not messages_path.exists():
            return []
        return [json.loads(line) for line in messages_path.read_text().splitlines()]

    def attempt():
        titles = " | ".join(attachment.get("title", "") for message in delivered()
                            for attachment in message["body"].get("attachments", []))
        return [f"no Slack message about {name} yet (got: {titles or 'nothing'})"
                for name in args.delivered if name not in titles]

    for complaint in poll(args.deadline, attempt):
        problems.add(complaint)
    for message in delivered():
        body = message["body"]
        for attachment in body.get("attachments", []):
            print(f"  Slack {message['path']} {body.get('channel')}: {attachment.get('title')}")
            for line in attachment.get("text", "").splitlines():
                print(f"    {line}")
            for name in args.not_delivered:
                if name in attachment.get("title", ""):
                    problems.add(f"{name} reached Slack although it should be inhibited")
            firing = "firing" in attachment.get("title", "").lower()
            if firing and "Runbook: docs/operations.md#" not in attachment.get("text", ""):
                problems.add(f"the message {attachment.get('title')!r} has no runbook link")
        if message["path"] != args.webhook_path:
            problems.add(f"Alertmanager posted to {message['path']}, not the webhook file's {args.webhook_path}")

    for name in args.not_delivered:
        query = urllib.parse.urlencode({"filter": f'alertname="{name}"'})
        with urllib.request.urlopen(f"{args.alertmanager.rstrip('/')}/api/v2/alerts?{query}", timeout=10) as response:
            alerts = json.load(response)
        if not alerts:
            problems.add(f"Alertmanager does not know {name}")
        for alert in alerts:
            status = alert["status"]
            print(f"  {name} in Alertmanager: {status['state']}, inhibited by {status['inhibitedBy']}")
            if status["state"] != "suppressed" or not status["inhibitedBy"]:
                problems.add(f"{name} is {status['state']}, not inhibited")
    return problems.status()


# ---------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    command = commands.add_parser("prometheus-config")
    command.add_argument("--shipped", required=True)
    command.add_argument("--out", required=True)
    command.add_argument("--interval", default="1s")
    command.add_argument("--credentials-file", required=True, help="the API key Prometheus presents to Concierge")
    command.add_argument("--target", action="append", default=[], metavar="JOB[/COLOR]=HOST:PORT",
                         help="address of a scrape target, and alertmanager=HOST:PORT")
    command.set_defaults(run=prometheus_config)

    command = commands.add_parser("alertmanager-config")
    command.add_argument("--shipped", required=True)
    command.add_argument("--out", required=True)
    command.add_argument("--webhook-file", required=True)
    command.set_defaults(run=alertmanager_config)

    command = commands.add_parser("dashboard-lint")
    command.add_argument("--dashboard", required=True)
    command.add_argument("--datasources", required=True)
    command.add_argument("--providers", required=True)
    command.add_argument("--docs", required=True, help="docs/operations.md, which explains every panel")
    command.set_defaults(run=dashboard_lint)

    command = commands.add_parser("alerts-lint")
    command.add_argument("--rules", nargs="+", required=True)
    command.add_argument("--docs", required=True, help="docs/operations.md, which has every runbook")
    command.add_argument("--repo", required=True, help="the repository, which runbook paths are relative to")
    command.set_defaults(run=alerts_lint)

    command = commands.add_parser("slack-sink")
    command.add_argument("--port-file", required=True)
    command.add_argument("--messages", required=True)
    command.set_defaults(run=slack_sink)

    def live(name, run, deadline=30):
        command = commands.add_parser(name)
        command.add_argument("--prometheus", required=True, help="http://127.0.0.1:PORT")
        command.add_argument("--deadline", type=float, default=deadline, help="seconds to wait for success")
        command.set_defaults(run=run)
        return command

    live("targets-up", targets_up).add_argument("--shipped", required=True)
    command = live("recorded", recorded)
    command.add_argument("--rules", nargs="+", required=True)
    command.add_argument("--max-age", type=float, default=5, help="seconds since the newest sample, at most")
    live("rules-healthy", rules_healthy).add_argument("--rules", nargs="+", required=True)
    live("increasing", increasing).add_argument("--expr", action="append", required=True)
    command = live("expressions", expressions)
    command.add_argument("--dashboard", required=True)
    command.add_argument("--rules", nargs="+", required=True)
    command = live("alert-state", alert_state)
    command.add_argument("--alert", required=True)
    command.add_argument("--label", action="append", default=[], metavar="NAME=VALUE")
    command.add_argument("--expect", choices=["active", "inactive"], required=True)
    command = live("has-series", has_series)
    command.add_argument("--expr", required=True)
    command.add_argument("--label", action="append", default=[], metavar="NAME=VALUE")
    live("alertmanager", alertmanager).add_argument("--alertmanager", required=True)

    command = commands.add_parser("slack-delivery")
    command.add_argument("--messages", required=True)
    command.add_argument("--alertmanager", required=True)
    command.add_argument("--webhook-path", required=True)
    command.add_argument("--delivered", nargs="+", required=True, metavar="ALERTNAME")
    command.add_argument("--not-delivered", nargs="*", default=[], metavar="ALERTNAME")
    command.add_argument("--deadline", type=float, default=60)
    command.set_defaults(run=slack_delivery)

    args = parser.parse_args()
    sys.exit(args.run(args))


if __name__ == "__main__":
    main()
