#!/usr/bin/env python3
"""Checks a kustomize render of deploy/k8s (and the Dockerfiles of deploy/docker) against the code:
every environment variable and command-line setting is a configuration key the code reads; every image is one
of deploy/docker's, whose Dockerfile publishes a project of this repository; every container port is the one
its setting names; probes are the contract's /healthz and /readyz; secret and config-map references exist.
Then that the dashboard and alert rules use exactly the metric names of deploy/metric-names.txt.
Run from the repository root: python3 deploy/lib/check_manifests.py <render.yaml>"""
import glob, json, os, re, sys
import yaml

render = list(d for d in yaml.safe_load_all(open(sys.argv[1])) if d)
problems, notes = [], []

# --- configuration keys the code reads (C# sources of the hosts, not tests) ---
sources = [f for pattern in ("grains/**/*.cs", "gateway/**/*.cs", "silo/**/*.cs", "admin/**/*.cs")
           for f in glob.glob(pattern, recursive=True) if "/bin/" not in f and "/obj/" not in f]
keys, prefixes, defaults = set(), set(), {}
for f in sources:
    text = open(f, encoding="utf-8").read()
    for m in re.finditer(r'[Cc]onfiguration\["([A-Za-z][\w:]*)"\]', text):
        keys.add(m.group(1).lower())
    for m in re.finditer(r'GetValue(?:<\w+>)?\("([A-Za-z]\w*:[\w:]+)",\s*([^)]+)\)', text):
        keys.add(m.group(1).lower()); defaults[m.group(1).lower()] = m.group(2).strip()
    for m in re.finditer(r'GetConnectionString\("(\w+)"\)', text):
        keys.add(f"connectionstrings:{m.group(1).lower()}")
    for m in re.finditer(r'GetSection\("([A-Za-z][\w:]*)"\)', text):
        prefixes.add(m.group(1).lower() + ":")
notes.append(f"settings read by the code ({len(sources)} files): " + ", ".join(sorted(keys)) +
             "; and every key under " + ", ".join(sorted(prefixes)))


def setting_ok(name):
    key = name.replace("__", ":").lower()
    return key in keys or any(key.startswith(p) and len(key) > len(p) for p in prefixes)


# --- images: deploy/docker/<name>.Dockerfile, each publishing a project and running its dll ---
dockerfiles = {}
for f in glob.glob("deploy/docker/*.Dockerfile"):
    name = os.path.basename(f)[:-len(".Dockerfile")]
    text = open(f).read()
    publish = re.search(r"dotnet publish (\S+\.csproj)", text)
    entry = re.search(r'ENTRYPOINT \["dotnet", "([^"]+)"\]', text)
    if not publish or not os.path.isfile(publish.group(1)):
        problems.append(f"{f}: publishes {publish and publish.group(1)!r}, not a project of this repository")
    elif not entry or entry.group(1) != os.path.basename(publish.group(1))[:-len(".csproj")] + ".dll":
        problems.append(f"{f}: ENTRYPOINT {entry and entry.group(1)!r} is not the dll of {publish.group(1)}")
    for m in re.finditer(r"^ENV (\w+)=", text, re.M):
        if not setting_ok(m.group(1)):
            problems.append(f"{f}: ENV {m.group(1)} is not a setting the code reads")
    for m in re.finditer(r'"--(\w[\w:]*)"', text):
        if not setting_ok(m.group(1)):
            problems.append(f"{f}: argument --{m.group(1)} is not a setting the code reads")
    for m in re.finditer(r"^FROM (\S+)", text, re.M):
        if not re.fullmatch(r"mcr\.microsoft\.com/dotnet/(sdk|aspnet|runtime):10\.0", m.group(1)):
            problems.append(f"{f}: base image {m.group(1)}")
    dockerfiles[f"orleans-tokens/{name}"] = f
notes.append("images: " + ", ".join(f"{i} ({f})" for i, f in sorted(dockerfiles.items())))

objects = {(o["kind"], o["metadata"]["name"]): o for o in render}
pod_templates = [(o, o["spec"]["template"]) for o in render if o["kind"] in ("Deployment", "StatefulSet")]
checked_env = set()
for owner, template in pod_templates:
    where = f"{owner['kind']}/{owner['metadata']['name']}"
    for c in template["spec"]["containers"]:
        image = c["image"].rsplit(":", 1)[0] if ":" in c["image"].split("/")[-1] else c["image"]
        if image not in dockerfiles:
            problems.append(f"{where}: image {c['image']} is not built by deploy/docker")
        env = {}
        for e in c.get("env", []):
            checked_env.add(e["name"])
            if not setting_ok(e["name"]):
                problems.append(f"{where}: env {e['name']} is not a setting the code reads")
            env[e["name"].replace("__", ":").lower()] = e.get("value")
            ref = e.get("valueFrom", {})
            for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                if key in ref:
                    target = objects.get((kind, ref[key]["name"]))
                    if not target or ref[key]["key"] not in target.get("data", {}):
                        problems.append(f"{where}: env {e['name']} refers to {kind} {ref[key]['name']} key {ref[key]['key']}, not in the render")
            if "fieldRef" in ref and ref["fieldRef"]["fieldPath"] != "status.podIP":
                problems.append(f"{where}: env {e['name']} from {ref['fieldRef']['fieldPath']}")
        if c.get("envFrom"):
            problems.append(f"{where}: envFrom hides the variable names from this check; name each variable")
        args, urls_port = c.get("args", []), None
        i = 0
        while i < len(args):
            arg = args[i]
            if not arg.startswith("--"):
                problems.append(f"{where}: argument {arg!r}"); i += 1; continue
            name, _, value = arg[2:].partition("=")
            if not value:
                i += 1; value = args[i] if i < len(args) else ""
            if not setting_ok(name):
                problems.append(f"{where}: argument --{name} is not a setting the code reads")
            if name == "urls":
                m = re.fullmatch(r"http://(?:0\.0\.0\.0|\*|\+|\[::\]):(\d+)", value)
                if not m:
                    problems.append(f"{where}: --urls {value}: want http://0.0.0.0:<port>, reachable from outside the pod")
                else:
                    urls_port = int(m.group(1))
            i += 1
        want = {"http": urls_port,
                "silo": int(env.get("cluster:siloport") or defaults.get("cluster:siloport", 0)),
                "orleans-gw": int(env.get("cluster:gatewayport") or defaults.get("cluster:gatewayport", 0))}
        names = set()
        for p in c.get("ports", []):
            names.add(p.get("name"))
            if p.get("name") not in want:
                problems.append(f"{where}: port {p.get('name')} {p['containerPort']} is none of {sorted(want)}")
            elif p["containerPort"] != want[p["name"]]:
                problems.append(f"{where}: port {p['name']} is {p['containerPort']}, the code listens on {want[p['name']]}")
        if ("silo" in names) != ("cluster:advertisedipaddress" in env):
            problems.append(f"{where}: a silo port needs Cluster__AdvertisedIPAddress (the pod IP) and the reverse")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            http = c.get(probe, {}).get("httpGet")
            if not http:
                problems.append(f"{where}: no {probe}"); continue
            if http["path"] not in ("/healthz", "/readyz") or http["port"] not in ("http", urls_port):
                problems.append(f"{where}: {probe} {http['path']} on {http['port']}")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            problems.append(f"{where}: readiness is /readyz (contract §1)")
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append(f"{where}: liveness is /healthz (contract §1)")

# Services, PDBs and HPAs point at something that exists.
for o in render:
    where = f"{o['kind']}/{o['metadata']['name']}"
    selector = (o["spec"].get("selector") or {}) if o["kind"] == "Service" else \
        o["spec"].get("selector", {}).get("matchLabels") if o["kind"] == "PodDisruptionBudget" else None
    if selector is not None:
        pods = [t for _, t in pod_templates if selector.items() <= t["metadata"]["labels"].items()]
        if not pods:
            problems.append(f"{where}: selects no pod")
        if o["kind"] == "Service":
            for p in o["spec"]["ports"]:
                if not any(p["targetPort"] in (q.get("name"), q["containerPort"]) for t in pods
                           for c in t["spec"]["containers"] for q in c.get("ports", [])):
                    problems.append(f"{where}: targetPort {p['targetPort']} is no container port")
    if o["kind"] == "HorizontalPodAutoscaler":
        ref = o["spec"]["scaleTargetRef"]
        if (ref["kind"], ref["name"]) not in objects:
            problems.append(f"{where}: scales {ref['kind']}/{ref['name']}, not in the render")
notes.append("environment variables in the render: " + ", ".join(sorted(checked_env)))

# --- metric names: deploy/metric-names.txt against the dashboard and the rules ---
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

for n in notes:
    print(n)
for p in problems:
    print("PROBLEM: " + p)
sys.exit(1 if problems else 0)
