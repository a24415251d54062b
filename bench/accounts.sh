#!/usr/bin/env bash
# What customer accounts cost on the embedded default (issue 13): memory per active customer grain, and the time and
# database size of stored accounts.
#
#   bench/accounts.sh [-a active] [-n accounts] [-P processes] [--no-build]
#
# (a) Starts the embedded gateway (Release, free ports, a temporary data directory) with /metrics on its HTTP port,
#     creates <active> (10,000) customers and 100 more to warm up with, and restarts it, so that no customer grain
#     is active. Mints once from each of the 100, twice (the code paths jitted, pools and caches grown), settles and
#     reads the gateway's resident memory, VmRSS of /proc/<pid>/status; then mints once from each of the <active>
#     customers, which activates their grains, settles and reads it again. To settle is to force a full garbage
#     collection with dotnet-gcdump, which also gives the managed heap's live bytes, then to wait until VmRSS stays
#     within 1 MiB for 5 s (60 s at most). Prints (after - before) / <active>, resident and managed bytes per active
#     customer grain, and the customer grains active at each reading (orleans_catalog_activations). The gateway runs
#     with Metrics:MaxCustomers at <active> + 100, so that every grain has its balance series, as the first 10,000
#     have under the default cap; a grain beyond the cap has none.
# (b) Starts a gateway on a new data directory and creates <accounts> (1,000,000) customers through the grains and
#     storage, as an operator does: `admin batch`, <processes> (4) runs at once, each its share of the lines one
#     after another. Prints the time and accounts/s, overall and by tenth of the accounts with the gateway's CPU
#     per account and the machine's busy cores (a slowdown of the service told from other work on the machine); the
#     SQLite database's size (file + WAL) in bytes and per account while the gateway runs and once it has stopped
#     (its WAL checkpointed); and the gateway's resident memory with the accounts made: creating an account
#     activates its grain, which stays active (a day).
# A count of 0 leaves its part out. The figures go to stdout as plain lines, progress to stderr; bench/run.sh
# --only accounts runs this and writes them to bench/results/<timestamp>.txt.
#
# Environment (the options override): BENCH_ACTIVE (10000), BENCH_ACCOUNTS (1000000), BENCH_ADMINS (4).
# Needs the .NET 10 SDK and curl; installs dotnet-gcdump (dotnet tool install -g) if missing, and without it
# settles on VmRSS alone and prints no managed heap. --no-build uses the Release build as it is (bench/run.sh
# builds first). Everything it starts is stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
active=${BENCH_ACTIVE:-10000}
accounts=${BENCH_ACCOUNTS:-1000000}
processes=${BENCH_ADMINS:-4}
warm=100
balance=1000
built=

while [ $# -gt 0 ]; do
    case "$1" in
        -a) active=$2; shift 2 ;;
        -n) accounts=$2; shift 2 ;;
        -P) processes=$2; shift 2 ;;
        --no-build) built=1; shift ;;
        *) sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
for n in "$active" "$accounts" "$processes"; do [[ $n =~ ^[0-9]+$ ]] || { echo "not a whole number: $n" >&2; exit 2; }; done
[ "$processes" -ge 1 ] && [ "$accounts" -le 8999999999 ] || { echo "need processes >= 1 and accounts < 9,000,000,000" >&2; exit 2; }

work=$(mktemp -d /tmp/orleans-tokens-accounts.XXXXXX)
bench_name=accounts
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_embedded
    pkill -TERM -P $$ 2>/dev/null || true   # admin batch runs and their pipes, curl: this script's children
    if [ "$status" -eq 0 ]; then rm -rf "$work"; else say "logs kept in $work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

gcdump=$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")
if [ "$active" -gt 0 ] && [ ! -x "$gcdump" ]; then
    say "installing dotnet-gcdump (dotnet tool install -g)"
    dotnet tool install -g dotnet-gcdump >"$work/gcdump-install.log" 2>&1 || say "  failed (see $work/gcdump-install.log): no managed heap"
    [ -x "$gcdump" ] || gcdump=
fi

rss() { awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$embedded_pid/status"; }
customer_grains() {
    curl -s "http://127.0.0.1:$embedded_http/metrics" \
        | awk '/^orleans_catalog_activations\{.*grain_type="customer"/ { n = $NF } END { print n + 0 }'
}

# settle: a full collection forced (dotnet-gcdump), then VmRSS each second until five readings lie within 1 MiB;
# prints "<VmRSS bytes> <managed heap bytes, or ->".
settle() {
    local heap=- readings=() i
    if [ -n "$gcdump" ]; then
        "$gcdump" collect -p "$embedded_pid" -o "$work/heap.gcdump" >"$work/gcdump.log" 2>&1 \
            || fail "dotnet-gcdump collect failed, see $work/gcdump.log"
        heap=$("$gcdump" report "$work/heap.gcdump" | awk '/GC Heap bytes/ { gsub(",", "", $1); print $1; exit }')
        rm -f "$work/heap.gcdump"
    fi
    for i in $(seq 60); do
        readings+=("$(rss)")
        if [ "${#readings[@]}" -ge 5 ] && printf '%s\n' "${readings[@]: -5}" | sort -n \
            | awk 'NR == 1 { low = $1 } END { exit !($1 - low <= 1048576) }'; then break; fi
        sleep 1
    done
    [ "$i" -lt 60 ] || say "  VmRSS did not settle within 60 s: the last reading is taken"
    echo "${readings[-1]} $heap"
}

memory_per_grain() {
    local data=$work/memory-data settled rss0 heap0 rss1 heap1 grains0 grains1
    start_embedded "$data" --Management:MetricsOnPublic=true --Metrics:MaxCustomers=$((active + warm))
    create_customers 1000000000 "$((warm + active))" "$balance" "$processes" "$work/customers" embedded_admin
    head -n "$warm" "$work/customers" >"$work/warm"
    tail -n +"$((warm + 1))" "$work/customers" >"$work/active"
    say "restarting the gateway, so that no customer grain is active"
    stop_embedded
    start_embedded "$data" --Management:MetricsOnPublic=true --Metrics:MaxCustomers=$((active + warm))
    say "warming up: two mints from each of $warm customers"
    mint_each "$embedded_http" "$work/warm"
    mint_each "$embedded_http" "$work/warm"
    say "settling"
    settled=$(settle); read -r rss0 heap0 <<<"$settled"
    grains0=$(customer_grains)
    say "  VmRSS $rss0 bytes, managed heap $heap0 bytes, $grains0 customer grains active"
    say "activating $active customer grains: one mint from each, 32 at a time"
    mint_each "$embedded_http" "$work/active"
    say "settling"
    settled=$(settle); read -r rss1 heap1 <<<"$settled"
    grains1=$(customer_grains)
    say "  VmRSS $rss1 bytes, managed heap $heap1 bytes, $grains1 customer grains active"
    stop_embedded
    echo "gateway VmRSS with $grains0 customer grains active (warmed up, settled): $rss0 bytes; managed heap $heap0 bytes"
    echo "gateway VmRSS with $grains1 customer grains active, after one mint from each of $active: $rss1 bytes; managed heap $heap1 bytes"
    echo "resident memory per active customer grain: $(((rss1 - rss0) / active)) bytes ((after - before) / $active)"
    [ "$heap0" = - ] || echo "managed heap per active customer grain: $(((heap1 - heap0) / active)) bytes"
}

# sample: "<seconds> <accounts made> <gateway CPU ticks> <machine busy ticks>".
sample() { echo "$(date +%s.%N) $(made) $(proc_ticks "$embedded_pid") $(machine_ticks)"; }

# by_tenth <samples file>: accounts/s, the gateway's CPU per account and the machine's busy cores in each tenth of
# the accounts made (between the samples nearest its ends), as three lines.
by_tenth() {
    awk -v n="$accounts" -v hz="$clk_tck" '{ t[NR] = $1; m[NR] = $2; g[NR] = $3; c[NR] = $4 }
        END {
            from = 1
            for (k = 1; k <= 10; k++) {
                to = from; while (to < NR && m[to] < k * n / 10) to++
                if (to == from || m[to] == m[from]) continue
                rate = rate sprintf(" %.0f", (m[to] - m[from]) / (t[to] - t[from]))
                cpu = cpu sprintf(" %.0f", (g[to] - g[from]) / hz / (m[to] - m[from]) * 1e6)
                busy = busy sprintf(" %.2f", (c[to] - c[from]) / hz / (t[to] - t[from]))
                from = to
            }
            print "by tenth of the accounts, accounts/s:" rate
            print "by tenth, the gateway'"'"'s CPU per account (µs):" cpu
            print "by tenth, the machine'"'"'s busy cores (of '"$(nproc)"'):" busy
        }' "$1"
}

stored_accounts() {
    local data=$work/accounts-data started seconds rate db wal rss grains sampler
    start_embedded "$data" --Management:MetricsOnPublic=true
    rm -f "$work"/made-*
    started=$(date +%s%N)
    sample >"$work/samples"
    while sleep 5; do sample; done >>"$work/samples" &
    sampler=$!
    create_customers 1000000000 "$accounts" "$balance" "$processes" "" embedded_admin
    kill "$sampler"; wait "$sampler" 2>/dev/null || true
    sample >>"$work/samples"
    seconds=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    rate=$(awk -v n="$accounts" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    db=$(stat -c %s "$data/tokens.db")
    wal=$(stat -c %s "$data/tokens.db-wal" 2>/dev/null || echo 0)
    rss=$(rss); grains=$(customer_grains)
    stop_embedded
    echo "$accounts accounts created in $seconds s: $rate accounts/s ($processes admin batch at once; each account a signed grain call and a durable write)"
    [ "$accounts" -ge 1000000 ] || echo "at that rate 1000000 accounts take $(awk -v r="$rate" 'BEGIN { printf "%.0f", 1e6 / r / 60 }') min"
    by_tenth "$work/samples"
    echo "SQLite database with $accounts accounts, gateway running: $((db + wal)) bytes (file $db + WAL $wal), $(((db + wal) / accounts)) bytes per account"
    db=$(stat -c %s "$data/tokens.db")
    wal=$(stat -c %s "$data/tokens.db-wal" 2>/dev/null || echo 0)
    echo "SQLite database once the gateway stopped (its WAL checkpointed): $((db + wal)) bytes (file $db + WAL $wal), $(((db + wal) / accounts)) bytes per account"
    echo "gateway VmRSS with the accounts just created ($grains customer grains active): $rss bytes"
}

[ -n "$built" ] || build gateway admin
[ "$active" -eq 0 ] || memory_per_grain
[ "$accounts" -eq 0 ] || stored_accounts
