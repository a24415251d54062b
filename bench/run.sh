#!/usr/bin/env bash
# The benchmark of Orleans.Tokens: wrk against the gateway, on the embedded default and on the local PostgreSQL
# cluster, in one run.
#
#   bench/run.sh [-d seconds] [-c connections] [-w warmup-seconds] [-p pairs] [--only embedded|cluster|accounts]
#
# For each storage it measures, with `wrk -t2 -c<connections> -d<seconds>s --latency` and bench/mint.lua,
#   (a) GET /healthz: no grain call, no I/O, the HTTP ceiling of the same process;
#   (b) Widevine mints round-robin over 1,000 customers, each with its own X-Request-Id (ignored by the service);
#   (c) Widevine mints from one hot customer;
#   (d) as (b), the value sent as Idempotency-Key (a new key per request: every one is recorded), so that wrk's
#       work and the bytes sent are those of (b) and (d)/(b) is what a key costs the service;
#   (e), (f) on the embedded default: as (c), from a customer with no stored keys and from one with BENCH_KEYS
#       (100,000) stored through the key-storage API (spec section 12), as <pairs> pairs, which goes first
#       alternating; (f)/(e) has the goal 0.9 to 1.1 (stored keys cost a mint nothing), and the state row each
#       writes per debit is printed for both (the same size);
#   (g) on the embedded default, with Clear Key enabled: Clear Key redemptions (spec section 8), a GET of the rights
#       URL of one token per customer, round-robin over the customers: each is checked, issued and recorded;
# and prints req/s, p50, p99 and every answer that was not a good 200, with (b)/(a) and (c)/(a) against the (a)
# of the same storage in the same run, and whether the goals are met: ratio >= 0.6, p99 < 20 ms; issue 13's, on one
# gateway: (b)/(a) (the median of the pairs) >= 0.35 and (c)/(a) >= 0.45 with p99 <= 10 ms on the embedded default,
# >= 0.2 and >= 0.3 on the cluster; and keyed against
# unkeyed, (d)/(b), whose goal is >= 0.85 (a key costs at most 15%). (b) and (d) are measured as <pairs> pairs
# (default 3), which of the two goes first alternating; each pair's (d)/(b) is printed and the median is the one
# checked against the goal: one pair's ratio moves by ±0.1 from run to run on 2 shared cores.
# On the embedded default it also prints the bytes the gateway wrote to disk per request (/proc/<pid>/io).
# On the cluster it measures one gateway (:8081), then the same spread over both gateways (:8081 and :8082,
# two wrk processes at once with half the connections each: req/s summed, p50/p99 the larger of the two).
# The table also goes to bench/results/<timestamp>.txt, with the CPU each process used and top snapshots.
# --only accounts runs bench/accounts.sh instead, on the embedded default, and nothing else: the resident memory per
# active customer grain (10,000 active, BENCH_ACTIVE) and the time and database size of BENCH_ACCOUNTS (1,000,000)
# accounts created through the grains (BENCH_ADMINS admin batch runs at once, 4); its lines are the results.
#
# Environment (the options override): BENCH_DURATION (20), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_WARMUP (10), BENCH_PAIRS (3), BENCH_CUSTOMERS (1000), BENCH_BALANCE (10000000), BENCH_KEYS (100000), BENCH_ONLY (embedded|cluster|accounts),
# BENCH_PG_PORT (55442: the cluster's PostgreSQL, apart from the 55432 a developer's cluster uses).
# Needs the .NET 10 SDK; installs wrk with apt if missing (as root). Everything it starts is stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cluster_sh=$repo/deploy/local/cluster.sh
lua=$here/mint.lua

duration=${BENCH_DURATION:-20}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-10}
pairs=${BENCH_PAIRS:-3}
customers=${BENCH_CUSTOMERS:-1000}
balance=${BENCH_BALANCE:-10000000}
key_count=${BENCH_KEYS:-100000}
only=${BENCH_ONLY:-}
ratio_goal=0.6
keyed_goal=0.85
keys_low=0.9
keys_high=1.1
p99_goal_ms=20

usage() { sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        -d) duration=$2; shift 2 ;;
        -c) connections=$2; shift 2 ;;
        -w) warmup=$2; shift 2 ;;
        -p) pairs=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "unknown argument $1" >&2; usage ;;
    esac
done
case "$only" in ""|embedded|cluster|accounts) ;; *) echo "--only takes embedded, cluster or accounts" >&2; exit 2 ;; esac
for n in "$duration" "$connections" "$threads" "$warmup" "$pairs" "$customers" "$balance" "$key_count"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "not a whole number: $n" >&2; exit 2; }
done
[ "$connections" -ge 2 ] && [ "$threads" -ge 1 ] && [ "$connections" -ge "$threads" ] && [ "$pairs" -ge 1 ] \
    || { echo "need connections >= threads >= 1, connections >= 2 and pairs >= 1" >&2; exit 2; }

export TOKENS_PG_PORT=${BENCH_PG_PORT:-55442}
export TOKENS_PG_DATA=/tmp/orleans-tokens-bench-pg-$TOKENS_PG_PORT
cluster_http_ports=(8081 8082)
cluster_ports=(8081 8082 22111 22112 22121 22122 "$TOKENS_PG_PORT")

stamp=$(date +%Y%m%d-%H%M%S)
work=$(mktemp -d /tmp/orleans-tokens-bench.XXXXXX)
results_dir=$here/results
results=$results_dir/$stamp.txt
rows=$work/rows                # one line per measurement: storage|scenario|target|rps|p50|p99|bad|socket errors|cpu
mkdir -p "$results_dir"
: >"$rows"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"
# shellcheck source=bench/run_cpu.sh
source "$here/run_cpu.sh"
# shellcheck source=bench/run_measure.sh
source "$here/run_measure.sh"
# shellcheck source=bench/run_embedded.sh
source "$here/run_embedded.sh"
# shellcheck source=bench/run_cluster.sh
source "$here/run_cluster.sh"
# shellcheck source=bench/run_report.sh
source "$here/run_report.sh"

# ---- cleanup: only what this run started -------------------------------------------------------------------------

cluster_started=
pg_data_created=
wrk_pids=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local pid
    # wrk runs as the child of a subshell of this script: stop both.
    for pid in "${wrk_pids[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
    stop_embedded
    if [ -n "$cluster_started" ]; then
        say "stopping the cluster"
        "$cluster_sh" down >>"$work/cluster.log" 2>&1 || say "cluster.sh down failed, see $work/cluster.log"
        if [ -n "$pg_data_created" ] && [ -d "$TOKENS_PG_DATA" ]; then rm -rf "$TOKENS_PG_DATA"; fi
        restore_pg_env
    fi
    if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then rm -rf "$work"; else say "logs kept in $work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --only accounts: bench/accounts.sh's lines under the heading are the results.
run_accounts() {
    local load_before=$1
    build gateway admin
    "$here/accounts.sh" --no-build >"$work/accounts.txt"
    { heading "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"; echo; cat "$work/accounts.txt"; } >"$results"
    cat "$results"
    echo "written to ${results#"$repo"/}"
}

main() {
    local load_before load_after status=0
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    if [ "$only" = accounts ]; then run_accounts "$load_before"; return; fi
    install_wrk
    build gateway admin silo
    [ "$only" = cluster ] || run_embedded
    [ "$only" = embedded ] || run_cluster
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
    {
        report "$load_before" "$load_after" || status=3
        echo
        echo "==== top snapshots (halfway through each measurement)"
        cat "$work"/top-*.txt 2>/dev/null || true
        echo
        echo "==== wrk output"
        local f
        for f in "$work"/wrk-[0-9]*.txt; do echo "--- $(basename "$f" .txt)"; cat "$f"; done
    } >"$results"
    # The terminal gets the report; the file has the top snapshots and wrk's own output too.
    sed '/^==== top snapshots/,$d' "$results"
    echo "written to ${results#"$repo"/}"
    return "$status"
}

main
