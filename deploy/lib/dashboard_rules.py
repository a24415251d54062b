#!/usr/bin/env python3
"""Checks the Grafana dashboard's shape and prints its queries as a Prometheus rule file, Grafana's variables
replaced by sample values, so that promtool check rules parses their PromQL."""
import json, re, sys

path = sys.argv[1]
d = json.load(open(path))
errors = []
if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
    errors.append(f"schemaVersion {d.get('schemaVersion')!r}: want a current Grafana schema (>= 36)")
variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
ds = variables.get("datasource")
if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
    errors.append("no Prometheus datasource variable named datasource")
samples = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}
samples.update({name: ".*" for name in variables if name != "datasource"})


def substitute(expr):
    return re.sub(r"\$\{?(\w+)(?::\w+)?\}?", lambda m: samples.get(m.group(1), m.group(0)), expr)


rules = []
ids = set()
for p in d.get("panels", []):
    if p.get("id") in ids:
        errors.append(f"panel id {p.get('id')} twice")
    ids.add(p.get("id"))
    for t in [p] + p.get("targets", []):
        if t.get("datasource", {}).get("uid") != "${datasource}":
            errors.append(f"panel {p.get('title')!r}: datasource is not ${{datasource}}")
    if not p.get("targets"):
        errors.append(f"panel {p.get('title')!r} has no query")
    for t in p.get("targets", []):
        expr = substitute(t["expr"])
        if "$" in expr:
            errors.append(f"panel {p.get('title')!r}: unknown variable in {t['expr']}")
        rules.append((f"dashboard:{p['id']}:{t['refId']}", expr, p["title"]))
for name, v in variables.items():
    q = v.get("query")
    if isinstance(q, dict):
        m = re.fullmatch(r"label_values\((.*),\s*\w+\)", q["query"])
        if m:
            rules.append((f"dashboard:variable:{name}", substitute(m.group(1)), f"variable {name}"))
if errors:
    sys.exit("\n".join(errors))
print("groups:\n  - name: dashboard\n    rules:")
for record, expr, title in rules:
    print(f"      # {title}\n      - record: {json.dumps(record)}\n        expr: {json.dumps(expr)}")
