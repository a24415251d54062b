#!/usr/bin/env python3
"""Writes deploy/grafana/tokens-dashboard.json (run it after editing the panels here; check.sh checks the result)."""
import json, os

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'environment=~"$environment", customer=~"$customer"'
panels, y = [], 0


def target(expr, legend, ref, instant=False):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref}
    if instant:
        t.update({"instant": True, "range": False})
    return t


def panel(title, kind, targets, unit, w=12, h=8, description="", options=None, extra_defaults=None):
    global y
    x = 0 if not panels or panels[-1]["gridPos"]["x"] + panels[-1]["gridPos"]["w"] + w > 24 else panels[-1]["gridPos"]["x"] + panels[-1]["gridPos"]["w"]
    if x == 0 and panels:
        y = panels[-1]["gridPos"]["y"] + panels[-1]["gridPos"]["h"]
    defaults = {"unit": unit}
    defaults.update(extra_defaults or {})
    p = {
        "id": len(panels) + 1, "type": kind, "title": title, "description": description, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options or {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull"]},
                               "tooltip": {"mode": "multi", "sort": "desc"}},
        "targets": targets,
    }
    panels.append(p)


balance = f'max by (customer, environment) (tokens_balance{{{SEL}}})'
burn1h = f'sum by (customer, environment) (rate(tokens_minted_total{{{SEL}}}[1h]))'

panel("Balance per customer", "timeseries", [target(balance, "{{customer}} {{environment}}", "A")], "short",
      description="tokens_balance: tokens left, as reported by the silo holding the customer's grain.")
panel("Burn rate per customer (tokens/h)", "timeseries",
      [target(f'3600 * sum by (customer, environment) (rate(tokens_minted_total{{{SEL}}}[$__rate_interval]))',
              "{{customer}} {{environment}}", "A")], "short",
      description="Tokens minted per hour (rate of tokens_minted_total over all DRMs and gateways).")
panel("Predicted time to empty (at the last hour's rate)", "bargauge",
      [target(f'sort(({balance}) / ({burn1h} > 0))', "{{customer}} {{environment}}", "A", instant=True)], "s",
      w=24, h=8,
      description="Balance / burn rate of the last hour; customers who minted nothing in the last hour are not shown. "
                  "Alert TokensBalanceRunsOutWithin24h fires below 24 h.",
      options={"orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True,
               "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
      extra_defaults={"min": 0, "max": 7 * 86400, "thresholds": {"mode": "absolute", "steps": [
          {"color": "red", "value": None}, {"color": "orange", "value": 86400}, {"color": "green", "value": 3 * 86400}]}})
panel("Mint rate by DRM (successful requests/s)", "timeseries",
      [target('sum by (drm) (rate(tokens_requests_total{error_code="0"}[$__rate_interval]))', "{{drm}}", "A")], "reqps",
      description="tokens_requests_total with error_code 0, over all gateways.")
panel("Errors by code (requests/s)", "timeseries",
      [target('sum by (error_code, status) (rate(tokens_requests_total{error_code!="0"}[$__rate_interval]))',
              "{{error_code}} ({{status}})", "A")], "reqps",
      description="tokens_requests_total by error code of contract §6 and HTTP status; 5xx are the service's own.")
panel("Request latency percentiles", "timeseries",
      [target(f'histogram_quantile({q}, sum by (le, drm) (rate(tokens_request_duration_seconds_bucket[$__rate_interval])))',
              f"p{int(q * 100)} {{{{drm}}}}", ref) for q, ref in ((0.5, "A"), (0.9, "B"), (0.99, "C"))], "s",
      description="histogram_quantile over tokens_request_duration_seconds_bucket, per DRM. Alert TokensLatencyP99High above 100 ms.")
panel("Storage write latency", "timeseries",
      [target(f'histogram_quantile({q}, sum by (le) (rate(tokens_storage_write_duration_seconds_bucket[$__rate_interval])))',
              f"p{int(q * 100)}", ref) for q, ref in ((0.5, "A"), (0.99, "B"))], "s",
      description="One grain-state write transaction (tokens_storage_write_duration_seconds), all silos.")
panel("Storage batch size (writes per transaction)", "timeseries",
      [target(f'histogram_quantile({q}, sum by (le) (rate(tokens_storage_batch_size_bucket[$__rate_interval])))',
              f"p{int(q * 100)}", ref) for q, ref in ((0.5, "A"), (0.99, "B"))], "short",
      description="Grain-state writes that shared one transaction (tokens_storage_batch_size).")
panel("Silos in the cluster", "stat",
      [target('max(orleans_consistent_ring_size{job="tokens-silo"})', "in Orleans' ring", "A"),
       target('count(up{job="tokens-silo"} == 1)', "scraped and up", "B")], "short", w=12, h=6,
      description="Orleans' own meter: orleans_consistent_ring_size, the silos this silo sees in the cluster; and the silos Prometheus scrapes.",
      options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "colorMode": "value",
               "graphMode": "area", "textMode": "value_and_name", "orientation": "auto"},
      extra_defaults={"thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "green", "value": 2}]}})

dashboard = {
    "uid": "orleans-tokens", "title": "Orleans.Tokens", "tags": ["orleans-tokens"], "timezone": "browser",
    "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
    "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
    "annotations": {"list": []}, "links": [],
    "templating": {"list": [
        {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []},
        {"name": "environment", "label": "Environment", "type": "query", "datasource": DS,
         "query": {"query": "label_values(tokens_balance, environment)", "refId": "environment"},
         "definition": "label_values(tokens_balance, environment)", "refresh": 2, "includeAll": True,
         "multi": True, "allValue": ".*", "current": {}, "options": [], "sort": 1, "hide": 0},
        {"name": "customer", "label": "Customer", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(tokens_balance{environment=~"$environment"}, customer)', "refId": "customer"},
         "definition": 'label_values(tokens_balance{environment=~"$environment"}, customer)', "refresh": 2,
         "includeAll": True, "multi": True, "allValue": ".*", "current": {}, "options": [], "sort": 3, "hide": 0},
    ]},
    "panels": panels,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "grafana", "tokens-dashboard.json")
with open(out, "w") as f:
    json.dump(dashboard, f, indent=2)
    f.write("\n")
