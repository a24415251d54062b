"""Orleans' Kubernetes hosting: what it reads, and its access to the API: the pod's own service account with its token
mounted, bound in the pod's namespace to a Role granting get/list/watch/patch on pods and no delete. Every other pod
mounts no token."""

# What Orleans' Kubernetes hosting reads (KubernetesHostingOptions), each from its one downward-API field, and the pod
# labels it selects the cluster's pods by, with the setting each must equal.
pod_fields = {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_IP": "status.podIP"}
id_labels = {"orleans/serviceId": "Cluster__ServiceId", "orleans/clusterId": "Cluster__ClusterId"}
hosting_verbs = {"get", "list", "watch", "patch"}


def grants(role):
    verbs = set()
    for rule in role.get("rules", []):
        if "" in rule.get("apiGroups", []) and {"pods", "*"} & set(rule.get("resources", [])):
            verbs |= set(rule.get("verbs", []))
    return verbs


def check_kubernetes_access(render, objects, pod_templates, kubernetes_pods, problems):
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
