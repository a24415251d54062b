"""Each container of the render: its image, environment variables, arguments, ports and probes against the code and
deploy/docker, and the downward-API fields and pod labels of a silo under Orleans' Kubernetes hosting."""
import re

from check_kubernetes_hosting import id_labels, pod_fields
from render_objects import mounted_file

# A CronJob and a Job run to completion (no listener, no probes).
run_to_completion = ("Job", "CronJob")


def check_containers(pod_templates, objects, dockerfiles, setting_ok, defaults, default_id, problems):
    """(checked_env, kubernetes_pods): the names of the environment variables checked, and the pods with a container
    under the Kubernetes hosting."""
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
    return checked_env, kubernetes_pods
