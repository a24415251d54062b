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
import sys

import yaml

from check_admin_job import check_admin_job
from check_cluster_tls import check_cluster_tls
from check_containers import check_containers
from check_database_roles import check_database_roles
from check_images import check_images
from check_kubernetes_hosting import check_kubernetes_access
from check_metric_names import check_metric_names
from check_network import check_management_listener, check_network_policies
from check_references import check_references
from code_settings import read_code_settings
from render_objects import objects_of, pod_templates_of

render = list(d for d in yaml.safe_load_all(open(sys.argv[1])) if d)
problems, notes = [], []

setting_ok, defaults, default_id = read_code_settings(notes)
dockerfiles = check_images(setting_ok, problems, notes)
objects = objects_of(render)
pod_templates = pod_templates_of(render)
checked_env, kubernetes_pods = check_containers(pod_templates, objects, dockerfiles, setting_ok, defaults, default_id, problems)
check_database_roles(pod_templates, objects, problems, notes)
check_cluster_tls(pod_templates, objects, problems, notes)
check_admin_job(pod_templates, problems)
check_kubernetes_access(render, objects, pod_templates, kubernetes_pods, problems)
check_management_listener(render, pod_templates, problems, notes)
check_network_policies(render, pod_templates, problems, notes)
check_references(render, objects, pod_templates, problems)
notes.append("environment variables in the render: " + ", ".join(sorted(checked_env)))
check_metric_names(problems, notes)

for n in notes:
    print(n)
for p in problems:
    print("PROBLEM: " + p)
sys.exit(1 if problems else 0)
