"""Services, PDBs and HPAs of the render point at something that exists."""


def check_references(render, objects, pod_templates, problems):
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
