#!/usr/bin/env bash
# Checks deploy/ offline: the Prometheus config, alert rules and their unit tests (promtool), the Kubernetes
# manifests (kustomize render), that the rendered manifests name only images, ports and settings the code really
# uses, and that the dashboard and rules use only the metric names of deploy/metric-names.txt.
#
#   deploy/check.sh            exit 0 when every check passes; prints each check and its result
#
# Tools: promtool and kubectl (or kustomize) from the PATH; when missing, the Debian packages prometheus and
# kubernetes-client are fetched with apt-get download and unpacked into $TOOLS (nothing installed, no service
# started). python3 with PyYAML (python3-yaml) reads the render.
set -uo pipefail
cd "$(dirname "$0")/.."
deploy=deploy
tools=${TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/orleans-tokens-deploy-tools}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

say() { echo "check: $*"; }
pass() { say "PASS $*"; }
fail() { say "FAIL $*"; failures=$((failures + 1)); }

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
apt_updated=0
apt_update() {
  [ "$apt_updated" -eq 1 ] && return 0
  apt_updated=1
  "${sudo[@]}" apt-get update -q >"$work/apt-update.log" 2>&1 || { tail -n 5 "$work/apt-update.log"; return 1; }
}

# Unpacks a Debian package into $tools (apt-get download needs no root; the package lists may need an update).
unpack_deb() {
  local package=$1
  mkdir -p "$tools/debs" && (
    cd "$tools/debs" || exit 1
    apt-get download "$package" >/dev/null 2>&1 || { apt_update && apt-get download "$package" >/dev/null; }
  ) || return 1
  dpkg-deb -x "$(ls -t "$tools/debs/${package}"_*.deb | head -n 1)" "$tools/root" || { say "could not unpack $package"; return 1; }
}

# promtool: the PATH's, else from Debian's prometheus package (unpacked, so no prometheus service is installed).
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  [ -x "$tools/root/usr/bin/promtool" ] || { say "promtool missing: unpacking Debian package prometheus into $tools"; unpack_deb prometheus; }
  promtool=$tools/root/usr/bin/promtool
fi
# A kustomize renderer: kubectl kustomize (kustomize is built in), else kustomize build, else Debian's
# kubernetes-client (kubectl 1.20, kustomize 2.0: the base keeps to what it understands).
render=()
if command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then render=(kubectl kustomize)
elif command -v kustomize >/dev/null; then render=(kustomize build)
else
  [ -x "$tools/root/usr/bin/kubectl" ] || { say "kubectl missing: unpacking Debian package kubernetes-client into $tools"; unpack_deb kubernetes-client; }
  render=("$tools/root/usr/bin/kubectl" kustomize)
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  say "python3-yaml missing: installing it (apt-get)"
  { apt_update && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-yaml; } >"$work/apt.log" 2>&1 \
    || { tail -n 5 "$work/apt.log"; }
fi
[ -x "$promtool" ] || { fail "no promtool"; exit 1; }
say "tools: $("$promtool" --version 2>&1 | head -n 1); renderer: ${render[*]} ($("${render[0]}" version --client 2>/dev/null | head -n 1 || true))"

run() { # run <what> <command…>: passes when the command exits 0, shows its output either way
  local what=$1; shift
  if "$@" >"$work/out" 2>&1; then pass "$what"; else fail "$what"; fi
  sed 's/^/    /' "$work/out"
}

run "promtool check config $deploy/prometheus/prometheus.yml" "$promtool" check config "$deploy/prometheus/prometheus.yml"
run "promtool check rules $deploy/prometheus/rules/tokens.rules.yml" "$promtool" check rules "$deploy/prometheus/rules/tokens.rules.yml"
run "promtool test rules $deploy/prometheus/tests/tokens.rules.test.yml" "$promtool" test rules "$deploy/prometheus/tests/tokens.rules.test.yml"

if "${render[@]}" "$deploy/k8s" >"$work/render.yaml" 2>"$work/render.err"; then
  pass "${render[*]} $deploy/k8s ($(grep -c '^kind:' "$work/render.yaml") objects: $(grep '^kind:' "$work/render.yaml" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}' | sed 's/, $//'))"
else
  fail "${render[*]} $deploy/k8s"; sed 's/^/    /' "$work/render.err"
fi

# The dashboard's queries, made into recording rules so that promtool parses their PromQL.
if python3 "$deploy/lib/dashboard_rules.py" "$deploy/grafana/tokens-dashboard.json" >"$work/dashboard.rules.yml" 2>"$work/dashboard.err"; then
  run "dashboard JSON and the PromQL of its $(grep -c 'record:' "$work/dashboard.rules.yml") queries (promtool check rules)" \
    "$promtool" check rules "$work/dashboard.rules.yml"
else
  fail "dashboard $deploy/grafana/tokens-dashboard.json"; sed 's/^/    /' "$work/dashboard.err"
fi

# Images, ports, settings and metric names against what the code uses.
if [ -s "$work/render.yaml" ]; then
  if python3 "$deploy/lib/check_manifests.py" "$work/render.yaml" >"$work/out" 2>&1; then
    pass "rendered manifests name only images, ports and settings the code uses; metric names as listed"
  else
    fail "rendered manifests or metric names"
  fi
  sed 's/^/    /' "$work/out"
fi

if [ "$failures" -eq 0 ]; then say "all checks passed"; else say "$failures check(s) failed"; exit 1; fi
