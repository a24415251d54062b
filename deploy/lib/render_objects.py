"""The objects of a kustomize render: by kind and name, the pod templates, and the files mounted into a container."""


def objects_of(render):
    return {(o["kind"], o["metadata"]["name"]): o for o in render}


# A CronJob's pods are those of its jobTemplate.
def pod_templates_of(render):
    return [(o, o["spec"]["template"]) for o in render if o["kind"] in ("Deployment", "StatefulSet", "Job")] + \
           [(o, o["spec"]["jobTemplate"]["spec"]["template"]) for o in render if o["kind"] == "CronJob"]


def mounted_file(template, container, path):
    """(volume, key) when path is a key of a secret or config map mounted into the container, else None."""
    volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
    mount = next((m for m in container.get("volumeMounts", []) if path and path.startswith(m["mountPath"].rstrip("/") + "/")), None)
    return (volumes.get(mount["name"], {}), mount, path.rsplit("/", 1)[1]) if mount else None
