#!/usr/bin/env bash
# Where a mint's CPU goes, by layer, on the embedded default (issue 13: measure before optimising).
#
#   bench/profile.sh [-d seconds] [-c connections] [-F hz] [-s "scenarios"]
#
# Builds in Release, starts the embedded gateway with the runtime's perf map (DOTNET_PerfMapEnabled=1; jitted code
# written as plain memory so perf can name it: DOTNET_EnableWriteXorExecute=0), creates 1,000 customers, warms each
# scenario up, then for each of (a) GET /healthz, (b) Widevine mints spread over the customers and (c) mints of one
# hot customer (bench/mint.lua) — or the scenarios -s names, among them (d) keyed: spread mints each with its own
# Idempotency-Key — samples the gateway's stacks with `perf record -g` while wrk runs (-t2 -c64 by
# default) and prints µs of gateway CPU per request in each layer (bench/profile_buckets.py says how a sample is put
# in a layer). Figures are per request, so they hold however busy the machine; wrk shares its 2 cores. Needs perf
# (Debian's linux-perf) and wrk, and root or kernel.perf_event_paranoid <= 1 for perf to sample another process.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
duration=10 connections=64 hz=499 customers=1000 scenarios="healthz spread hot"
while [ $# -gt 0 ]; do
    case "$1" in
        -d) duration=$2; shift 2 ;;
        -c) connections=$2; shift 2 ;;
        -F) hz=$2; shift 2 ;;
        -s) scenarios=$2; shift 2 ;;
        *) sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
for tool in perf wrk curl python3; do command -v "$tool" >/dev/null || { echo "profile: $tool is missing" >&2; exit 1; }; done

work=$(mktemp -d /tmp/orleans-tokens-profile.XXXXXX)
gateway_pid=
cleanup() { [ -z "$gateway_pid" ] || kill "$gateway_pid" 2>/dev/null || true; }
trap cleanup EXIT
say() { echo "profile $(date +%H:%M:%S): $*" >&2; }

say "building (Release)"
for project in gateway admin; do
    dotnet build -c Release -nologo -v q "$repo/$project" >"$work/build-$project.log" 2>&1 || { tail -n 20 "$work/build-$project.log" >&2; exit 1; }
done

# Three free loopback ports: the web server's, the silo's and the Orleans gateway's.
read -r http silo proxy < <(python3 -c 'import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
say "starting the embedded gateway on :$http (data $work/data)"
(cd "$work" && DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 exec dotnet "$repo/gateway/bin/Release/net10.0/Orleans.Tokens.Gateway.dll" \
    --urls "http://127.0.0.1:$http" --Cluster:SiloPort="$silo" --Cluster:GatewayPort="$proxy" --Tokens:DataDirectory="$work/data") \
    >"$work/gateway.log" 2>&1 </dev/null &
gateway_pid=$!
deadline=$((SECONDS + 120))
until curl -sf "http://127.0.0.1:$http/readyz" >/dev/null; do
    kill -0 "$gateway_pid" 2>/dev/null || { tail -n 20 "$work/gateway.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "profile: the gateway was not ready within 120 s" >&2; exit 1; }
    sleep 1
done

say "creating $customers customers"
base=$(( 1000000000 + RANDOM * 10000 ))
for i in $(seq 1 "$customers"); do echo "customer create $((base + i)) --balance 100000000"; done \
    | env Cluster__GatewayPort="$proxy" Tokens__DataDirectory="$work/data" dotnet "$repo/admin/bin/Release/net10.0/Orleans.Tokens.Admin.dll" batch \
        >"$work/customers.jsonl"
sed -nE 's/.*"production":"([^"]+)".*/\1/p' "$work/customers.jsonl" >"$work/authenticators"
[ "$(wc -l <"$work/authenticators")" -eq "$customers" ] || { echo "profile: creating the customers failed" >&2; exit 1; }

# wrk_for <scenario> <seconds>: the BENCH line of one wrk run.
wrk_for() {
    wrk -t2 -c"$connections" -d"$2s" -s "$here/mint.lua" "http://127.0.0.1:$http" -- "$1" "$work/authenticators" "profile-$1-$RANDOM" \
        | grep '^BENCH '
}

for scenario in $scenarios; do
    say "warming up $scenario (${duration}s)"
    wrk_for "$scenario" "$duration" >/dev/null
done

echo "Gateway CPU per request by layer (perf -F $hz -g, wrk -t2 -c$connections, ${duration} s sampled per scenario, 1,000 customers)"
for scenario in $scenarios; do
    say "profiling $scenario"
    # wrk runs a second longer on each side of the sampled window, so that the window sees only steady load.
    wrk_for "$scenario" $((duration + 2)) >"$work/wrk-$scenario" &
    wrk_pid=$!
    sleep 1
    perf record -F "$hz" -g -p "$gateway_pid" -o "$work/$scenario.data" -- sleep "$duration" >/dev/null 2>"$work/perf-$scenario.log"
    wait "$wrk_pid"
    line=$(cat "$work/wrk-$scenario")
    rps=$(sed -E 's/.* rps=([^ ]*).*/\1/' <<<" $line")
    bad=$(sed -E 's/.* bad=([^ ]*).*/\1/' <<<" $line")
    [ "$bad" = 0 ] || echo "  ($scenario: $bad answers were not good: $(sed -E 's/.* sample="([^"]*)".*/\1/' <<<"$line"))"
    requests=$(awk -v r="$rps" -v d="$duration" 'BEGIN{print r * d}')
    perf script -i "$work/$scenario.data" -F comm,tid,ip,sym,dso 2>/dev/null \
        | python3 "$here/profile_buckets.py" "$scenario ($rps req/s)" "$hz" "$requests"
done
say "perf data and logs kept in $work"
trap - EXIT
cleanup
