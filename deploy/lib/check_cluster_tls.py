"""Mutual TLS on Orleans connections (README, Cluster TLS): every container of the PostgreSQL cluster (silos,
client-mode gateways, the admin tool) reads the three Cluster__Tls__ files from read-only mounts of secrets in the
render; all share one CA secret, and each role has certificate secrets of its own (the role is in the certificate)."""
from render_objects import mounted_file


def check_cluster_tls(pod_templates, objects, problems, notes):
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
    notes.append(f"cluster TLS: CA secret {sorted(ca_secrets)}, certificate secrets " +
                 ", ".join(f"{role} {sorted(names)}" for role, names in sorted(cert_secrets.items())))
