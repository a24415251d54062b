"""Metric names: deploy/metric-names.txt against the dashboard and the alert rules, and against the names the tests
check against a real scrape."""
import json, os, re

import yaml


def check_metric_names(problems, notes):
    listed = [l.strip() for l in open("deploy/metric-names.txt") if l.strip()]
    dashboard_file, rules_file = "deploy/grafana/tokens-dashboard.json", "deploy/prometheus/rules/tokens.rules.yml"
    dashboard = json.load(open(dashboard_file))
    queries = [(dashboard_file, t["expr"]) for p in dashboard["panels"] for t in p.get("targets", [])]
    queries += [(dashboard_file, v["query"]["query"]) for v in dashboard["templating"]["list"] if isinstance(v.get("query"), dict)]
    queries += [(rules_file, r["expr"]) for g in yaml.safe_load(open(rules_file))["groups"] for r in g["rules"]]
    used = {}
    for f, expr in queries:
        for name in re.findall(r"\b((?:tokens|orleans)_[a-z0-9_]+)\b", expr):
            used.setdefault(name, set()).add(f)
    for name, files in sorted(used.items()):
        if name not in listed:
            problems.append(f"metric {name} (in {', '.join(sorted(files))}) is not in deploy/metric-names.txt")
    for name in listed:
        if name not in used:
            problems.append(f"metric {name} of deploy/metric-names.txt is used by neither the dashboard nor the rules")
    notes.append("metric names used: " + ", ".join(sorted(used)))
    # The names the tests check against a real scrape, once they exist in this tree.
    names_file = "tests/Orleans.Tokens.Tests/Metrics/MetricNames.cs"
    if os.path.isfile(names_file):
        known = set(re.findall(r'"((?:tokens|orleans)_[a-z0-9_]+)"', open(names_file).read()))
        for name in listed:
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if name not in known and base not in known:
                problems.append(f"metric {name} is not among the names of {names_file}")
        notes.append(f"compared with {names_file}")
    else:
        notes.append(f"{names_file} not in this tree: metric names not compared with it")
