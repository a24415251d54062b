"""Who reaches which port: the gateways' management listener (section 11), scraped by Prometheus and on no public
Service, and the network policies: ingress denied by default, each silo and gateway port allowed from exactly its
peers."""
import yaml


def check_management_listener(render, pod_templates, problems, notes):
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


def check_network_policies(render, pod_templates, problems, notes):
    # Network policies: ingress is denied to every pod unless allowed, and each port of a silo or gateway is allowed from
    # exactly its peers (a pod of a component of ours, Prometheus, or the ingress controller's namespace).
    policies = [o for o in render if o["kind"] == "NetworkPolicy"]
    if not any(p["spec"].get("podSelector") == {} and "Ingress" in p["spec"].get("policyTypes", []) and not p["spec"].get("ingress")
               for p in policies):
        problems.append("no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)")
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
