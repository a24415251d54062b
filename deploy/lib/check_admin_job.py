"""The admin tool (README, Kubernetes): a suspended CronJob of the admin image whose Jobs run once (no retry: a batch
run twice repeats its credits without a reference), labelled component=admin, which the client port admits."""


def check_admin_job(pod_templates, problems):
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
