#!/usr/bin/env python3
"""Checks a kustomize render of deploy/k8s (and the Dockerfiles of deploy/docker) against the code:
every environment variable and command-line setting is a configuration key the code reads; every image is one
of deploy/docker's, whose Dockerfile publishes a project of this repository; every container port is the one
its setting names; probes are the contract's /healthz and /readyz; secret and config-map references exist.
Silos under Orleans' Kubernetes hosting (Cluster__Kubernetes=true) get POD_NAME, POD_NAMESPACE and POD_IP from the
downward API, pod labels equal to their service and cluster ids, and a service account whose Role grants what the
hosting needs on pods (get, list, watch, patch) and no delete; every other pod mounts no service account token.
Every process of the PostgreSQL cluster reads its cluster TLS files from read-only secret mounts: one CA for all,
certificate secrets of their own for silos, gateways and the admin tool, which is a suspended CronJob whose Jobs
run the batch of a mounted ConfigMap once. Gateways serve /metrics on a management port that
Prometheus scrapes and no public Service exposes. Ingress is denied by default, and each silo and gateway port is
allowed from exactly its peers (silo port: silos; client port: gateways and the admin Job; API: the ingress
controller's namespace; management: Prometheus). Only the migration Job changes the schema; silos, gateways and it
each connect with a database secret of their own, every one with SSL Mode=VerifyFull.
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
# The ids a silo uses when Cluster__ServiceId / Cluster__ClusterId are not set.
default_id = re.search(r'const string DefaultId = "([^"]+)"', open("grains/Hosting/TokensSettings.cs").read()).group(1)
# What Orleans' Kubernetes hosting reads (KubernetesHostingOptions), each from its one downward-API field, and the pod
# labels it selects the cluster's pods by, with the setting each must equal.
pod_fields = {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_IP": "status.podIP"}
id_labels = {"orleans/serviceId": "Cluster__ServiceId", "orleans/clusterId": "Cluster__ClusterId"}
hosting_verbs = {"get", "list", "watch", "patch"}


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
# A CronJob's pods are those of its jobTemplate; it and a Job run to completion (no listener, no probes).
pod_templates = [(o, o["spec"]["template"]) for o in render if o["kind"] in ("Deployment", "StatefulSet", "Job")] + \
                [(o, o["spec"]["jobTemplate"]["spec"]["template"]) for o in render if o["kind"] == "CronJob"]
run_to_completion = ("Job", "CronJob")


def mounted_file(template, container, path):
    """(volume, key) when path is a key of a secret or config map mounted into the container, else None."""
    volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
    mount = next((m for m in container.get("volumeMounts", []) if path and path.startswith(m["mountPath"].rstrip("/") + "/")), None)
    return (volumes.get(mount["name"], {}), mount, path.rsplit("/", 1)[1]) if mount else None


checked_env = set()
kubernetes_pods = {}  # where: (owner, pod template), for the pods with a container under the Kubernetes hosting
for owner, template in pod_templates:
    where = f"{owner['kind']}/{owner['metadata']['name']}"
    for c in template["spec"]["containers"]:
        image = c["image"].rsplit(":", 1)[0] if ":" in c["image"].split("/")[-1] else c["image"]
        if image not in dockerfiles:
            problems.append(f"{where}: image {c['image']} is not built by deploy/docker")
        env = {e["name"].replace("__", ":").lower(): e.get("value") for e in c.get("env", [])}
        kubernetes = env.get("cluster:kubernetes") == "true"
        for e in c.get("env", []):
            checked_env.add(e["name"])
            ref = e.get("valueFrom", {})
            if e["name"] in pod_fields:
                if not kubernetes:
                    problems.append(f"{where}: env {e['name']} is read by the Kubernetes hosting only, and Cluster__Kubernetes is not true")
                if ref.get("fieldRef", {}).get("fieldPath") != pod_fields[e["name"]]:
                    problems.append(f"{where}: env {e['name']} must come from fieldRef {pod_fields[e['name']]}")
                continue
            if not setting_ok(e["name"]):
                problems.append(f"{where}: env {e['name']} is not a setting the code reads")
            for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                if key in ref:
                    target = objects.get((kind, ref[key]["name"]))
                    if not target or ref[key]["key"] not in target.get("data", {}):
                        problems.append(f"{where}: env {e['name']} refers to {kind} {ref[key]['name']} key {ref[key]['key']}, not in the render")
            if "fieldRef" in ref and (e["name"], ref["fieldRef"]["fieldPath"]) != ("Cluster__AdvertisedIPAddress", "status.podIP"):
                problems.append(f"{where}: env {e['name']} from {ref['fieldRef']['fieldPath']}")
        if c.get("envFrom"):
            problems.append(f"{where}: envFrom hides the variable names from this check; name each variable")
        args, urls_port = c.get("args", []), None
        i = 0
        if image == "orleans-tokens/admin":
            # The admin image's arguments are a command: the admin Job runs the batch of a mounted config map.
            found = len(args) == 3 and args[:2] == ["batch", "--input"] and mounted_file(template, c, args[2])
            config = found and (found[0].get("configMap") or {}).get("name")
            if not config or found[2] not in objects.get(("ConfigMap", config), {}).get("data", {}):
                problems.append(f"{where}: the admin tool runs `batch --input <file of a mounted ConfigMap in the render>`, not {args}")
            args = []
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
        management = re.fullmatch(r"http://(?:0\.0\.0\.0|\*|\+|\[::\]):(\d+)", env.get("management:urls") or "")
        if env.get("management:urls") and not management:
            problems.append(f"{where}: Management__Urls {env['management:urls']}: want one http://0.0.0.0:<port>, reachable from Prometheus")
        if (env.get("management:metricsonpublic") or "").lower() == "true":
            problems.append(f"{where}: Management__MetricsOnPublic=true puts /metrics (customer ids, balances) on the public port")
        want = {"http": urls_port, "management": int(management.group(1)) if management else None,
                "silo": int(env.get("cluster:siloport") or defaults.get("cluster:siloport", 0)),
                "orleans-gw": int(env.get("cluster:gatewayport") or defaults.get("cluster:gatewayport", 0))}
        names = set()
        for p in c.get("ports", []):
            names.add(p.get("name"))
            if p.get("name") not in want:
                problems.append(f"{where}: port {p.get('name')} {p['containerPort']} is none of {sorted(want)}")
            elif p["containerPort"] != want[p["name"]]:
                problems.append(f"{where}: port {p['name']} is {p['containerPort']}, the code listens on {want[p['name']]}")
        if kubernetes:
            kubernetes_pods[where] = (owner, template)
            if env.get("cluster:storage") != "PostgreSql":
                problems.append(f"{where}: Cluster__Kubernetes=true needs Cluster__Storage=PostgreSql")
            missing = [name for name in pod_fields if name not in {e["name"] for e in c.get("env", [])}]
            if "silo" not in names or missing or "cluster:advertisedipaddress" in env:
                problems.append(f"{where}: Cluster__Kubernetes=true is for a silo port with {', '.join(pod_fields)} "
                                f"(missing: {', '.join(missing) or 'none'}) and without Cluster__AdvertisedIPAddress")
            labels = template["metadata"].get("labels", {})
            for label, setting in id_labels.items():
                value = env.get(setting.replace("__", ":").lower()) or default_id
                if labels.get(label) != value:
                    problems.append(f"{where}: pod label {label} is {labels.get(label)!r}, the silo's {setting} is {value!r}")
        elif ("silo" in names) != ("cluster:advertisedipaddress" in env):
            problems.append(f"{where}: a silo port needs Cluster__AdvertisedIPAddress (the pod IP) and the reverse")
        if owner["kind"] in run_to_completion:
            continue  # no listener, no probes
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            http = c.get(probe, {}).get("httpGet")
            if not http:
                problems.append(f"{where}: no {probe}"); continue
            if http["path"] not in ("/healthz", "/readyz") or http["port"] not in ("http", urls_port, "management"):
                problems.append(f"{where}: {probe} {http['path']} on {http['port']}")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            problems.append(f"{where}: readiness is /readyz (contract §1)")
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append(f"{where}: liveness is /healthz (contract §1)")

# Database roles (issue 9): only a migration Job (Cluster__Migrate=true) changes the schema, with a secret no other
# pod mounts; silos and gateways each have a connection secret of their own, and none applies the schema; every
# connection string verifies the server (SSL Mode=VerifyFull).
import base64
database_secrets = {}  # component -> secret names of ConnectionStrings__Tokens
migrations = 0
for owner, template in pod_templates:
    component = template["metadata"].get("labels", {}).get("app.kubernetes.io/component", owner["metadata"]["name"])
    for c in template["spec"]["containers"]:
        env = {e["name"]: e for e in c.get("env", [])}
        if env.get("Cluster__ApplySchema", {}).get("value", "").lower() == "true":
            problems.append(f"{owner['kind']}/{owner['metadata']['name']}: Cluster__ApplySchema=true needs DDL; the migration Job applies the schema")
        if env.get("Cluster__Migrate", {}).get("value", "").lower() == "true" or "--Cluster:Migrate=true" in c.get("args", []):
            migrations += 1
            if owner["kind"] != "Job":
                problems.append(f"{owner['kind']}/{owner['metadata']['name']}: Cluster__Migrate=true belongs in a Job")
        ref = env.get("ConnectionStrings__Tokens", {}).get("valueFrom", {}).get("secretKeyRef")
        if not ref:
            continue
        database_secrets.setdefault(component, set()).add(ref["name"])
        secret = objects.get(("Secret", ref["name"]))
        text = base64.b64decode(secret["data"][ref["key"]]).decode() if secret and ref["key"] in secret.get("data", {}) else ""
        if "ssl mode=verifyfull" not in text.lower().replace("sslmode", "ssl mode"):
            problems.append(f"Secret/{ref['name']}: the connection string must have SSL Mode=VerifyFull")
if migrations != 1:
    problems.append(f"want one migration Job (Cluster__Migrate=true), found {migrations}")
for a in database_secrets:
    for b in database_secrets:
        if a < b and database_secrets[a] & database_secrets[b]:
            problems.append(f"{a} and {b} share the database secret {sorted(database_secrets[a] & database_secrets[b])}: each needs its own role")
notes.append("database secrets: " + ", ".join(f"{c} {sorted(s)}" for c, s in sorted(database_secrets.items())))

# Mutual TLS on Orleans connections (README, Cluster TLS): every container of the PostgreSQL cluster (silos,
# client-mode gateways, the admin tool) reads the three Cluster__Tls__ files from read-only mounts of secrets in the
# render; all share one CA secret, and each role has certificate secrets of its own (the role is in the certificate).
tls_settings = ("Cluster__Tls__CaCertificate", "Cluster__Tls__Certificate", "Cluster__Tls__PrivateKey")
ca_secrets, cert_secrets = set(), {}
for owner, template in pod_templates:
    where = f"{owner['kind']}/{owner['metadata']['name']}"
    for c in template["spec"]["containers"]:
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        # A migration makes no Orleans connection.
        if (env.get("Cluster__Storage") or "").lower() != "postgresql" or "--Cluster:Migrate=true" in c.get("args", []):
            continue
        secrets = []
        for setting in tls_settings:
            path = env.get(setting)
            found = mounted_file(template, c, path)
            secret = (found[0].get("secret") or {}).get("secretName") if found else None
            if not path or not secret:
                problems.append(f"{where}: {setting} must be a file of a mounted secret (got {path!r})")
                continue
            if not found[1].get("readOnly"):
                problems.append(f"{where}: the mount of {setting} ({found[1]['mountPath']}) must be readOnly")
            if found[2] not in objects.get(("Secret", secret), {}).get("data", {}):
                problems.append(f"{where}: {setting} is {path}, not a key of a Secret {secret} in the render")
            secrets.append(secret)
        if len(secrets) == 3:
            ca_secrets.add(secrets[0])
            role = template["metadata"].get("labels", {}).get("app.kubernetes.io/component")
            cert_secrets.setdefault(role, set()).add(secrets[1])
            if secrets[1] != secrets[2]:
                problems.append(f"{where}: the certificate and its key come from different secrets")
if len(ca_secrets) > 1:
    problems.append(f"the cluster's processes trust different CA secrets: {sorted(ca_secrets)}")
for a in cert_secrets:
    for b in cert_secrets:
        if a < b and cert_secrets[a] & cert_secrets[b]:
            problems.append(f"{a} and {b} share a certificate secret: one would hold the other's identity")

# The admin tool (README, Kubernetes): a suspended CronJob of the admin image whose Jobs run once (no retry: a batch
# run twice repeats its credits without a reference), labelled component=admin, which the client port admits.
admins = [(o, t) for o, t in pod_templates if any(c["image"].split(":")[0] == "orleans-tokens/admin" for c in t["spec"]["containers"])]
if not admins:
    problems.append("no admin tool in the render: want a suspended CronJob of orleans-tokens/admin (the admin Job)")
for owner, template in admins:
    where = f"{owner['kind']}/{owner['metadata']['name']}"
    if owner["kind"] != "CronJob" or owner["spec"].get("suspend") is not True:
        problems.append(f"{where}: the admin tool runs only on demand: a CronJob with suspend: true")
        continue
    if owner["spec"]["jobTemplate"]["spec"].get("backoffLimit") != 0 or template["spec"].get("restartPolicy") != "Never":
        problems.append(f"{where}: an admin batch runs once: backoffLimit 0, restartPolicy Never")
    if template["metadata"].get("labels", {}).get("app.kubernetes.io/component") != "admin":
        problems.append(f"{where}: the admin pods carry app.kubernetes.io/component: admin, the label the silos' client port admits")
notes.append(f"cluster TLS: CA secret {sorted(ca_secrets)}, certificate secrets " +
             ", ".join(f"{role} {sorted(names)}" for role, names in sorted(cert_secrets.items())))

# The Kubernetes hosting's access to the API: the pod's own service account with its token mounted, bound in the
# pod's namespace to a Role granting get/list/watch/patch on pods and no delete. Every other pod mounts no token.
def grants(role):
    verbs = set()
    for rule in role.get("rules", []):
        if "" in rule.get("apiGroups", []) and {"pods", "*"} & set(rule.get("resources", [])):
            verbs |= set(rule.get("verbs", []))
    return verbs


for owner, template in pod_templates:
    if f"{owner['kind']}/{owner['metadata']['name']}" not in kubernetes_pods and template["spec"].get("automountServiceAccountToken") is not False:
        problems.append(f"{owner['kind']}/{owner['metadata']['name']}: calls no Kubernetes API, so automountServiceAccountToken: false")
for where, (owner, template) in kubernetes_pods.items():
    spec, namespace = template["spec"], owner["metadata"].get("namespace")
    account = spec.get("serviceAccountName", "default")
    if ("ServiceAccount", account) not in objects and account != "default":
        problems.append(f"{where}: service account {account} is not in the render")
    if spec.get("automountServiceAccountToken") is not True:
        problems.append(f"{where}: the Kubernetes hosting needs the service account token: automountServiceAccountToken: true")
    verbs = set()
    for binding in (o for o in render if o["kind"] == "RoleBinding" and o["metadata"].get("namespace") == namespace):
        if not any(s.get("kind") == "ServiceAccount" and s.get("name") == account and s.get("namespace", namespace) == namespace
                   for s in binding.get("subjects", [])):
            continue
        ref = binding["roleRef"]
        role = objects.get((ref["kind"], ref["name"]))
        if not role or ref["kind"] != "Role" or role["metadata"].get("namespace") != namespace:
            problems.append(f"RoleBinding/{binding['metadata']['name']}: binds {ref['kind']}/{ref['name']}, not a Role of namespace {namespace} in the render")
            continue
        verbs |= grants(role)
    if not hosting_verbs <= verbs:
        problems.append(f"{where}: service account {account} may {sorted(verbs)} on pods; the Kubernetes hosting needs {sorted(hosting_verbs)}")
    if {"delete", "deletecollection", "*"} & verbs:
        problems.append(f"{where}: service account {account} may delete pods; the silos never do (DeleteDefunctSiloPods is false)")

# Section 11's listeners: a gateway (Cluster__Mode=Client) has a management port, Prometheus scrapes it there, and a
# Service that is not headless (the public one, behind the ingress) targets no management port.
gateway_management = set()
for owner, template in pod_templates:
    for c in template["spec"]["containers"]:
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        if env.get("Cluster__Mode") == "Client":
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            if "management" not in ports:
                problems.append(f"{owner['kind']}/{owner['metadata']['name']}: a gateway needs its management listener (Management__Urls, port 'management')")
            else:
                gateway_management.add(ports["management"])
for o in render:
    if o["kind"] == "Service" and o["spec"].get("clusterIP") != "None":
        for p in o["spec"]["ports"]:
            if p["targetPort"] == "management" or p["targetPort"] in gateway_management:
                problems.append(f"Service/{o['metadata']['name']}: exposes the management port (/metrics) beside the public one")
scrape = yaml.safe_load(open("deploy/prometheus/prometheus.yml"))
for job in scrape["scrape_configs"]:
    if job["job_name"] == "tokens-gateway":
        ports = {c.get("port") for c in job.get("dns_sd_configs", [])}
        if gateway_management and ports != gateway_management:
            problems.append(f"deploy/prometheus/prometheus.yml: tokens-gateway scrapes port {sorted(ports)}, the gateways' management port is {sorted(gateway_management)}")
notes.append(f"management listener: gateways on {sorted(gateway_management)}, not on a public Service")

# Network policies: ingress is denied to every pod unless allowed, and each port of a silo or gateway is allowed from
# exactly its peers (a pod of a component of ours, Prometheus, or the ingress controller's namespace).
policies = [o for o in render if o["kind"] == "NetworkPolicy"]
if not any(p["spec"].get("podSelector") == {} and "Ingress" in p["spec"].get("policyTypes", []) and not p["spec"].get("ingress")
           for p in policies):
    problems.append("no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)")


def peer(source):
    pods = source.get("podSelector", {}).get("matchLabels", {})
    if "namespaceSelector" in source:
        namespace = source["namespaceSelector"].get("matchLabels", {}).get("kubernetes.io/metadata.name", "any namespace")
        return "prometheus" if pods.get("app.kubernetes.io/name") == "prometheus" else f"namespace {namespace}"
    return pods.get("app.kubernetes.io/component", "any pod")


expected_peers = {
    "silo": {"silo": {"silo"}, "orleans-gw": {"gateway", "admin"}, "http": {"prometheus"}},
    "gateway": {"http": {"namespace ingress-nginx"}, "management": {"prometheus"}},
}
for owner, template in pod_templates:
    labels = template["metadata"].get("labels", {})
    component = labels.get("app.kubernetes.io/component")
    if component not in expected_peers:
        continue
    allowed = {}
    for p in policies:
        selector = p["spec"].get("podSelector", {}).get("matchLabels", {})
        if not selector.items() <= labels.items():
            continue
        for rule in p["spec"].get("ingress", []):
            if not rule.get("ports") or not rule.get("from"):
                problems.append(f"NetworkPolicy/{p['metadata']['name']}: a rule without ports or without from allows too much")
                continue
            for port in rule["ports"]:
                allowed.setdefault(port["port"], set()).update(peer(source) for source in rule["from"])
    names = {q.get("name") for c in template["spec"]["containers"] for q in c.get("ports", [])}
    for name in names:
        want = expected_peers[component].get(name)
        if allowed.get(name, set()) != (want or set()):
            problems.append(f"{owner['kind']}/{owner['metadata']['name']}: port {name} is reachable from {sorted(allowed.get(name, set()))}, want {sorted(want or set())}")
    for name in set(allowed) - names:
        problems.append(f"{owner['kind']}/{owner['metadata']['name']}: a NetworkPolicy allows port {name}, which it does not have")
notes.append("network policies: " + ", ".join(sorted(p["metadata"]["name"] for p in policies)))

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
