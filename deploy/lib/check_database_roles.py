"""Database roles (issue 9): only a migration Job (Cluster__Migrate=true) changes the schema, with a secret no other
pod mounts; silos and gateways each have a connection secret of their own, and none applies the schema; every
connection string verifies the server (SSL Mode=VerifyFull)."""
import base64


def check_database_roles(pod_templates, objects, problems, notes):
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
