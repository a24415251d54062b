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
# of the same storage in the same run, and whether the goals are met: ratio >= 0.6, p99 < 20 ms; and keyed against
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

# cluster.sh up remembers where it put PostgreSQL in .run/postgres.env, for later commands without settings; put
# back what a developer's own cluster had there, so that it does not land on the benchmark's port.
pg_env=$repo/deploy/local/.run/postgres.env
save_pg_env() { if [ -f "$pg_env" ]; then cp "$pg_env" "$work/postgres.env.saved"; fi; }
restore_pg_env() {
    if [ -f "$work/postgres.env.saved" ]; then cp "$work/postgres.env.saved" "$pg_env"; else rm -f "$pg_env"; fi
}

# ---- what it needs -----------------------------------------------------------------------------------------------

install_wrk() {
    command -v wrk >/dev/null && return
    [ "$(id -u)" -eq 0 ] || fail "wrk is missing; run as root or install it with apt-get install wrk"
    say "installing wrk (apt)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } >"$work/apt.log" 2>&1 \
        || fail "apt-get install wrk failed, see $work/apt.log"
}

# ---- CPU accounting: ticks of process groups and of the whole machine ---------------------------------------------

# clk_tck, proc_ticks and machine_ticks are in lib.sh.
iowait_ticks() { awk '/^cpu /{print $6; exit}' /proc/stat; }
# This cluster's PostgreSQL only (other instances may run): its postmaster, with the time of the backends that
# have exited (reaped into the postmaster's cutime/cstime, so connections opened and closed meanwhile count), and
# its live children.
postgres_ticks() {
    local postmaster own children
    postmaster=$(head -n 1 "$TOKENS_PG_DATA/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    own=$(sed 's/^.*) //' "/proc/$postmaster/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}') || own=0
    # shellcheck disable=SC2046
    children=$(proc_ticks $(ps -o pid= --ppid "$postmaster" 2>/dev/null))
    echo $(( ${own:-0} + children ))
}
pg_connections() {   # the cluster's PostgreSQL: its connections by state, and max_connections
    local bin as=()
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ "$(id -u)" -ne 0 ] || as=(runuser -u postgres --)
    (cd / && "${as[@]}" "$bin/psql" -h "$TOKENS_PG_DATA" -p "$TOKENS_PG_PORT" -U postgres -d postgres -qtA \
        -c "SELECT string_agg(coalesce(state, backend_type) || ' ' || n, ', ') || '; max_connections ' || current_setting('max_connections')
            FROM (SELECT state, backend_type, count(*) n FROM pg_stat_activity WHERE datname = 'tokens' GROUP BY 1, 2) s") 2>&1 | head -n 1
}
# Bytes the embedded gateway has written to disk so far (the SQLite WAL and database file), or nothing elsewhere.
disk_written() { [ "$1" != embedded ] || awk '/^write_bytes/{print $2}' "/proc/$embedded_pid/io"; }
cluster_pid() { cat "$repo/deploy/local/.run/$1.pid" 2>/dev/null || true; }

# The process groups of the storage being measured, as "name:pid pid …" lines.
process_groups() {
    if [ "$1" = embedded ]; then
        echo "gateway:$embedded_pid"
    else
        echo "gateways:$(cluster_pid gateway1) $(cluster_pid gateway2)"
        echo "silos:$(cluster_pid silo1) $(cluster_pid silo2)"
        echo "postgres:"
    fi
}
cpu_snapshot() {   # one line: machine=<ticks> group=<ticks> …
    local line name pids out
    out="machine=$(machine_ticks) iowait=$(iowait_ticks)"
    while IFS= read -r line; do
        name=${line%%:*}; pids=${line#*:}
        if [ "$name" = postgres ]; then out="$out postgres=$(postgres_ticks)"; continue; fi
        # shellcheck disable=SC2086
        out="$out $name=$(proc_ticks $pids)"
    done < <(process_groups "$1")
    echo "$out"
}
# Cores used between two snapshots over the given seconds, wrk's own CPU seconds given apart; "other" is the rest
# of the machine: other engineers' work, the OS, this script.
cpu_report() {
    local before=$1 after=$2 seconds=$3 wrk_cpu=$4
    awk -v b="$before" -v a="$after" -v s="$seconds" -v hz="$clk_tck" -v w="$wrk_cpu" 'BEGIN {
        nb = split(b, B, " "); split(a, A, " ")
        out = ""; ours = w
        for (i = 1; i <= nb; i++) {
            split(B[i], kb, "="); split(A[i], ka, "=")
            cores = (ka[2] - kb[2]) / hz / s
            if (kb[1] == "machine") { machine = cores; continue }
            if (kb[1] == "iowait") { iowait = cores; continue }
            ours += cores
            out = out sprintf("%s %.2f, ", kb[1], cores)
        }
        out = out sprintf("wrk %.2f, other %.2f (machine busy %.2f of %d cores, iowait %.2f)", w, machine - ours, machine, '"$(nproc)"', iowait)
        print out
    }'
}

# ---- wrk ---------------------------------------------------------------------------------------------------------

# Runs one wrk; prints its BENCH line (see mint.lua) followed by " wrk_cpu=<seconds>". Full output in $work.
wrk_once() {
    local label=$1 url=$2 scenario=$3 c=$4 t=$5 d=$6 out=$work/wrk-$1.txt timefile=$work/time-$1.txt
    local TIMEFORMAT='%U %S'
    { time wrk -t"$t" -c"$c" -d"${d}s" --latency -s "$lua" "$url" -- "$scenario" "$authenticators" "$stamp-$label" \
        >"$out" 2>&1; } 2>"$timefile" || { cat "$out" >&2; fail "wrk failed ($label)"; }
    local line
    line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; fail "wrk printed no BENCH line ($label)"; }
    echo "$line wrk_cpu=$(awk '{print $1 + $2}' "$timefile")"
}

field() { sed -E "s/.* $2=([^ ]*).*/\1/" <<<" $1"; }
sample_of() { sed -nE 's/.* sample="([^"]*)".*/\1/p' <<<"$1"; }

# Takes a top snapshot (the second of two frames a second apart, so the per-process CPU is current) halfway.
top_halfway() {
    local label=$1 d=$2
    sleep $(( d / 2 > 1 ? d / 2 - 1 : 0 ))
    {
        echo "--- top during $label"
        top -b -n 2 -d 1 -w 160 | awk '/^top -/{frame++} frame == 2' | head -n 20 || true
        case "$label" in *cluster*) echo "PostgreSQL connections now, by state: $(pg_connections)" ;; esac
    } >"$work/top-$label.txt" 2>/dev/null
}

# measure <storage> <scenario letter> <label> <targets…>: one row. Several targets run at once, the connections
# and threads shared out between them.
measure() {
    local storage=$1 letter=$2 label=$3; shift 3
    local targets=("$@") n=$# scenario
    measurement=$((measurement + 1))
    label=$(printf '%02d-%s-%s' "$measurement" "$storage" "$label")
    case "$letter" in a) scenario=healthz ;; b) scenario=spread ;; c|e|f) scenario=hot ;; d) scenario=keyed ;; g) scenario=redeem ;; esac
    local c=$((connections / n)) t=$(( threads / n > 0 ? threads / n : 1 ))
    say "measuring $storage ($letter) $scenario on ${targets[*]} for ${duration}s (-t$t -c$c each)"
    local before after i pids=() files=()
    before=$(cpu_snapshot "$storage")
    local written_before
    written_before=$(disk_written "$storage")
    top_halfway "$label" "$duration" & local top_pid=$!
    for i in "${!targets[@]}"; do
        wrk_once "$label-$i" "http://127.0.0.1:${targets[i]}" "$scenario" "$c" "$t" "$duration" \
            >"$work/bench-$label-$i" &
        pids+=($!); files+=("$work/bench-$label-$i")
    done
    wrk_pids=("${pids[@]}")
    for i in "${pids[@]}"; do wait "$i" || fail "wrk failed"; done
    wrk_pids=()
    after=$(cpu_snapshot "$storage")
    local written_after
    written_after=$(disk_written "$storage")
    wait "$top_pid" || true
    # Sum req/s, errors and wrk CPU; the larger p50/p99 of the targets; the longest wrk duration for CPU.
    local rps=0 p50=0 p99=0 bad=0 sock=0 wrk_cpu=0 seconds=0 sample="" line f
    for f in "${files[@]}"; do
        line=$(cat "$f")
        rps=$(awk -v x="$rps" -v y="$(field "$line" rps)" 'BEGIN{printf "%.1f", x + y}')
        p50=$(awk -v x="$p50" -v y="$(field "$line" p50_ms)" 'BEGIN{printf "%.2f", (y > x ? y : x)}')
        p99=$(awk -v x="$p99" -v y="$(field "$line" p99_ms)" 'BEGIN{printf "%.2f", (y > x ? y : x)}')
        bad=$((bad + $(field "$line" bad)))
        sock=$((sock + $(field "$line" connect_err) + $(field "$line" read_err) + $(field "$line" write_err) + $(field "$line" timeouts)))
        wrk_cpu=$(awk -v x="$wrk_cpu" -v y="$(field "$line" wrk_cpu)" 'BEGIN{print x + y}')
        seconds=$(awk -v x="$seconds" -v y="$(field "$line" seconds)" 'BEGIN{print (y > x ? y : x)}')
        [ -n "$sample" ] || sample=$(sample_of "$line")
    done
    local target_text
    target_text=$(printf ':%s+' "${targets[@]}"); target_text=${target_text%+}
    local cpu
    cpu=$(cpu_report "$before" "$after" "$seconds" "$(awk -v w="$wrk_cpu" -v s="$seconds" 'BEGIN{printf "%.2f", w / s}')")
    label=${label#*-*-}
    if [ -n "$written_before" ]; then
        cpu="$cpu; disk $(awk -v a="$written_after" -v b="$written_before" -v r="$rps" -v s="$seconds" \
            'BEGIN{ if (r > 0) printf "%.0f", (a - b) / (r * s); else print "-" }') B/request"
    fi
    echo "$storage|$letter|$label|$target_text|$rps|$p50|$p99|$bad|$sock|$cpu|$sample" >>"$rows"
    say "  $rps req/s, p50 $p50 ms, p99 $p99 ms, bad $bad, socket errors $sock; cpu: $cpu"
}

measurement=0
# The file of authenticators wrk reads (its first line for the hot scenarios).
authenticators=$work/authenticators

# keyed_pairs <storage> <suffix> <targets…>: (b) and (d) measured as $pairs pairs, the first of each pair
# alternating, so that what drifts during a run (the database growing, other work on the machine) falls on both;
# labels spread<suffix> and keyed<suffix>, then spread<suffix>-pair<n> and keyed<suffix>-pair<n>.
keyed_pairs() {
    local storage=$1 suffix=$2 r tag; shift 2
    for r in $(seq 1 "$pairs"); do
        tag=$suffix; [ "$r" -eq 1 ] || tag="$suffix-pair$r"
        if [ $((r % 2)) -eq 1 ]; then
            measure "$storage" b "spread$tag" "$@"; measure "$storage" d "keyed$tag" "$@"
        else
            measure "$storage" d "keyed$tag" "$@"; measure "$storage" b "spread$tag" "$@"
        fi
    done
}

# activate <port>: one mint from every customer, 32 at a time (curl --parallel), each answer a 200 with a token.
activate() {
    local started=$SECONDS
    say "activating the $customers customers: one mint each on :$1, 32 at a time"
    mint_each "$1" "$work/authenticators"
    activation="$((SECONDS - started)) s for $customers first mints on :$1 (32 at a time)"
    echo "$activation" >>"$work/activations"
    say "  $activation"
}

# warm <target…>: a mint from every customer (their grains active), then a short run of each kind on each target,
# not recorded.
warm() {
    local target scenario
    activate "$1"
    [ "$warmup" -gt 0 ] || return 0
    for target in "$@"; do
        for scenario in healthz spread hot keyed; do
            say "warming up $scenario on :$target (${warmup}s)"
            wrk_once "warmup-$target-$scenario" "http://127.0.0.1:$target" "$scenario" "$connections" "$threads" "$warmup" >/dev/null
        done
    done
}

# ---- customers ---------------------------------------------------------------------------------------------------

# Customer ids unique to this run (the cluster's database outlives a run): 10 digits, no leading zero.
id_base=$(( 1000000000 + ($(date +%s) % 100000) * 10000 ))   # below 2^31 too

# check_mint <port>: one mint by hand from the first customer must be a 200 with a token, so that a wrong request
# fails here and not as a column of errors.
check_mint() {
    local code
    code=$(curl -s -o "$work/check-mint" -w '%{http_code}' "http://127.0.0.1:$1/hms/wv/token?customerAuthenticator=$(head -n 1 "$work/authenticators")&kid=00000000000000000000000000000001&contentKey=00112233445566778899aabbccddeeff&securityLevel=1&hdcpOutputControl=0&errorFormat=json") || true
    grep -q 'ExpressPlayToken=' "$work/check-mint" && [ "$code" = 200 ] \
        || fail "a test mint on :$1 answered $code: $(head -c 300 "$work/check-mint")"
}

# clear_key_tokens <port>: one Clear Key token per customer (/hms/ck/token), each rights URL's path and query a line
# of $work/rights, for (g).
clear_key_tokens() {
    say "minting a Clear Key token for each of the $customers customers on :$1"
    local authenticator answer
    : >"$work/rights"
    while read -r authenticator; do
        answer=$(curl -s "http://127.0.0.1:$1/hms/ck/token?customerAuthenticator=$authenticator&kid=00000000000000000000000000000001&contentKey=00112233445566778899aabbccddeeff&securityLevel=1&hdcpOutputControl=0&errorFormat=json")
        case "$answer" in *"/hms/ck/rights?ExpressPlayToken="*) echo "/hms/ck/rights?${answer#*\?}" >>"$work/rights" ;;
                          *) fail "a Clear Key mint answered: $(head -c 300 <<<"$answer")" ;; esac
    done <"$authenticators"
}

# ---- key storage (embedded) ---------------------------------------------------------------------------------------

# store_keys <port> <authenticator> <n>: n random keys stored through POST /keystore/keys, 32 at a time (curl).
store_keys() {
    local config=$work/keys.curl started=$SECONDS stored
    say "storing $3 keys for one customer through the key-storage API on :$1, 32 at a time"
    od -An -v -tx1 -w16 -N $(( $3 * 16 )) /dev/urandom | tr -d ' ' | awk -v port="$1" -v auth="$2" 'NR > 1 { print "next" } {
        printf "url = \"http://127.0.0.1:%s/keystore/keys?customerAuthenticator=%s\"\n", port, auth
        printf "data = \"{\\\"k\\\":\\\"%s\\\"}\"\n", $1
        print "header = \"Content-Type: application/json\""
        print "output = \"/dev/null\""
        print "write-out = \"%{http_code}\\n\""
        print "max-time = 60"
    }' >"$config"
    curl -s --no-progress-meter --parallel --parallel-max 32 -K "$config" \
        >"$work/keys.codes" 2>"$work/keys.err" || true
    stored=$(curl -s "http://127.0.0.1:$1/keystore/keycount?customerAuthenticator=$2")
    [ "$stored" = "$3" ] || fail "storing keys: the customer holds $stored keys, not $3 ($(sort "$work/keys.codes" | uniq -c | tr -s ' \n' ' '))"
    say "  $3 keys stored in $((SECONDS - started)) s"
}

# state_bytes <data directory> <customer id>: the size of the customer's state row, what each debit writes.
state_bytes() {
    python3 - "$1/tokens.db" "$2" <<'PY' 2>/dev/null || echo "?"
import sqlite3, sys
row = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute(
    "SELECT length(Payload) FROM GrainState WHERE StateName = 'customer' AND GrainId = ?",
    ("customer/" + format(int(sys.argv[2]), "X"),)).fetchone()
print(row[0] if row else "?")
PY
}

# key_storage_pairs <port>: (e) and (f) on the embedded gateway as $pairs pairs, then each customer's state row size.
key_storage_pairs() {
    local none=$((id_base + customers + 1)) many=$((id_base + customers + 2)) r tag
    create_customers "$none" 2 "$balance" 1 "$work/key-customers" embedded_admin
    sed -n 1p "$work/key-customers" >"$work/auth-no-keys"
    sed -n 2p "$work/key-customers" >"$work/auth-keys"
    store_keys "$1" "$(cat "$work/auth-keys")" "$key_count"
    for r in $(seq 1 "$pairs"); do
        tag=; [ "$r" -eq 1 ] || tag="-pair$r"
        if [ $((r % 2)) -eq 1 ]; then
            authenticators=$work/auth-no-keys measure embedded e "keys0$tag" "$1"
            authenticators=$work/auth-keys measure embedded f "keys$tag" "$1"
        else
            authenticators=$work/auth-keys measure embedded f "keys$tag" "$1"
            authenticators=$work/auth-no-keys measure embedded e "keys0$tag" "$1"
        fi
    done
    echo "$(state_bytes "$embedded_data" "$none") $(state_bytes "$embedded_data" "$many")" >"$work/state-bytes"
}

# ---- the embedded default ----------------------------------------------------------------------------------------

run_embedded() {
    start_embedded "$work/embedded-data" --Issuers:ClearKey:Enabled=true
    local http=$embedded_http
    create_customers "$((id_base + 1))" "$customers" "$balance" 1 "$work/authenticators" embedded_admin
    check_mint "$http"
    warm "$http"
    measure embedded a healthz "$http"
    measure embedded c hot "$http"
    keyed_pairs embedded "" "$http"
    clear_key_tokens "$http"
    if [ "$warmup" -gt 0 ]; then
        say "warming up redeem on :$http (${warmup}s)"
        authenticators=$work/rights wrk_once "warmup-$http-redeem" "http://127.0.0.1:$http" redeem "$connections" "$threads" "$warmup" >/dev/null
    fi
    authenticators=$work/rights measure embedded g redeem "$http"
    key_storage_pairs "$http"
    stop_embedded
}

# ---- the PostgreSQL cluster --------------------------------------------------------------------------------------

run_cluster() {
    local port
    for port in "${cluster_ports[@]}"; do
        port_in_use "$port" && fail "port $port is in use (another cluster running?); the cluster part needs ${cluster_ports[*]}"
    done
    [ -d "$TOKENS_PG_DATA" ] || pg_data_created=1
    save_pg_env
    say "starting the cluster (cluster.sh up, PostgreSQL on :$TOKENS_PG_PORT)"
    cluster_started=1
    "$cluster_sh" up >"$work/cluster.log" 2>&1 || { tail -n 20 "$work/cluster.log" >&2; fail "cluster.sh up failed"; }
    create_customers "$((id_base + 1))" "$customers" "$balance" 1 "$work/authenticators" "$cluster_sh" admin
    check_mint "${cluster_http_ports[0]}"; check_mint "${cluster_http_ports[1]}"
    warm "${cluster_http_ports[@]}"
    local one=${cluster_http_ports[0]}
    measure cluster a healthz "$one"
    measure cluster c hot "$one"
    keyed_pairs cluster "" "$one"
    measure cluster a healthz-both "${cluster_http_ports[@]}"
    measure cluster c hot-both "${cluster_http_ports[@]}"
    keyed_pairs cluster -both "${cluster_http_ports[@]}"
    say "stopping the cluster"
    "$cluster_sh" down >>"$work/cluster.log" 2>&1 || say "cluster.sh down failed"
    cluster_started=
    if [ -n "$pg_data_created" ] && [ -d "$TOKENS_PG_DATA" ]; then rm -rf "$TOKENS_PG_DATA"; fi
    restore_pg_env
}

# ---- the report --------------------------------------------------------------------------------------------------

# heading <load average before> <after> [what follows "machine: <cores>, <memory>"] [a line after that]
heading() {
    echo "Orleans.Tokens benchmark, $(date -Is), commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- . 2>/dev/null || echo ' (modified)')"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)${3:-}"
    [ -z "${4:-}" ] || echo "$4"
    echo "load average before: $1"
    echo "load average after:  $2"
}

report() {
    heading "$1" "$2" "; wrk $(wrk --version 2>&1 | awk 'NR==1{print $2}') on the same machine, 127.0.0.1" \
        "wrk -t$threads -c$connections -d${duration}s --latency, ${warmup}s warm-up of each kind first; $customers customers"
    sed 's/^/activation (warm-up): /' "$work/activations" 2>/dev/null || true
    echo
    printf '%-9s %-34s %-11s %9s %8s %8s %8s %8s %7s  %s\n' \
        storage scenario target "req/s" "p50 ms" "p99 ms" "non-200" "sockerr" "x (a)" "goals (ratio >= $ratio_goal, p99 < $p99_goal_ms ms)"
    local storage letter label target rps p50 p99 bad sock cpu sample base ratio name goals
    local flagged=0 missed=0
    while IFS='|' read -r storage letter label target rps p50 p99 bad sock cpu sample; do
        case "$label" in *-both*) base=$(awk -F'|' -v s="$storage" '$1 == s && $3 == "healthz-both" {print $5}' "$rows") ;;
                         *) base=$(awk -F'|' -v s="$storage" '$1 == s && $3 == "healthz" {print $5}' "$rows") ;; esac
        ratio=$(awk -v r="$rps" -v b="$base" 'BEGIN{ if (b > 0) printf "%.2f", r / b; else print "-" }')
        case "$letter" in
            a) name="(a) /healthz" ;;
            b) name="(b) mint, $customers customers" ;;
            c) name="(c) mint, one hot customer" ;;
            d) name="(d) keyed mint, $customers customers" ;;
            e) name="(e) mint, customer, no keys" ;;
            f) name="(f) mint, customer, $key_count keys" ;;
            g) name="(g) Clear Key redemption, $customers customers" ;;
        esac
        case "$label" in *-both*) name="$name, 2 gw" ;; esac
        case "$label" in *-pair*) name="$name, pair ${label##*-pair}" ;; esac
        goals=
        if [ "$letter" != a ] && [ "$letter" != g ]; then  # (g) has no goal: it is printed against (a)
            if awk -v x="$ratio" -v g="$ratio_goal" 'BEGIN{exit !(x >= g)}'; then goals="ratio yes"; else goals="ratio NO"; missed=1; fi
        else
            goals="ratio -"
        fi
        if awk -v x="$p99" -v g="$p99_goal_ms" 'BEGIN{exit !(x < g)}'; then goals="$goals, p99 yes"
        else goals="$goals, p99 NO"; case "$letter" in a|g) ;; *) missed=1 ;; esac; fi
        if [ "$bad" -gt 0 ] || [ "$sock" -gt 0 ]; then goals="$goals  ERRORS"; flagged=1; fi
        printf '%-9s %-34s %-11s %9s %8s %8s %8s %8s %7s  %s\n' \
            "$storage" "$name" "$target" "$rps" "$p50" "$p99" "$bad" "$sock" "$ratio" "$goals"
    done <"$rows"
    echo
    echo "x (a): req/s over the (a) of the same storage in this run; rows marked '2 gw' are two wrk at once, one per"
    echo "gateway (:8081, :8082) with -c$((connections / 2)) each, req/s summed, p50/p99 the larger of the two, and their"
    echo "ratio is over (a) measured the same way. non-200 counts every answer that was not a 200 with a token"
    echo "(or, for /healthz, not a 200); sockerr sums wrk's connect, read, write errors and timeouts."
    if [ "$flagged" -eq 1 ]; then
        echo "FLAGGED: some runs had errors:"
        awk -F'|' '$8 > 0 || $9 > 0 {printf "  %s %s: %s non-200, %s socket errors; first: %s\n", $1, $3, $8, $9, $11}' "$rows"
    fi
    local keyed unkeyed pair group median
    : >"$work/pair-ratios"
    while IFS='|' read -r storage letter label target rps _; do
        [ "$letter" = d ] || continue
        unkeyed=$(awk -F'|' -v s="$storage" -v l="${label/keyed/spread}" '$1 == s && $3 == l {print $5}' "$rows")
        keyed=$(awk -v k="$rps" -v u="$unkeyed" 'BEGIN{ if (u > 0) printf "%.2f", k / u; else print "-" }')
        pair=1; case "$label" in *-pair*) pair=${label##*-pair} ;; esac
        echo "keyed vs unkeyed, $storage $target, pair $pair: $rps vs $unkeyed req/s, (d)/(b) = $keyed"
        echo "$storage $target|$keyed" >>"$work/pair-ratios"
    done <"$rows"
    while IFS= read -r group; do
        median=$(awk -F'|' -v g="$group" '$1 == g {print $2}' "$work/pair-ratios" | sort -g \
            | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
        if awk -v x="$median" -v g="$keyed_goal" 'BEGIN{exit !(x >= g)}'; then goals="yes"; else goals="NO"; missed=1; fi
        echo "keyed vs unkeyed, $group: median (d)/(b) of $pairs pairs = $median (goal >= $keyed_goal: $goals)"
    done < <(cut -d'|' -f1 "$work/pair-ratios" | awk '!seen[$0]++')
    if [ -s "$work/state-bytes" ]; then
        : >"$work/key-ratios"
        while IFS='|' read -r storage letter label target rps _; do
            [ "$letter" = f ] || continue
            unkeyed=$(awk -F'|' -v l="${label/keys/keys0}" '$2 == "e" && $3 == l {print $5}' "$rows")
            keyed=$(awk -v k="$rps" -v u="$unkeyed" 'BEGIN{ if (u > 0) printf "%.2f", k / u; else print "-" }')
            pair=1; case "$label" in *-pair*) pair=${label##*-pair} ;; esac
            echo "$key_count keys vs none, $storage $target, pair $pair: $rps vs $unkeyed req/s, (f)/(e) = $keyed"
            echo "$keyed" >>"$work/key-ratios"
        done <"$rows"
        median=$(sort -g "$work/key-ratios" | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
        if awk -v x="$median" -v l="$keys_low" -v h="$keys_high" 'BEGIN{exit !(x >= l && x <= h)}'; then goals="yes"; else goals="NO"; missed=1; fi
        echo "$key_count keys vs none: median (f)/(e) of $pairs pairs = $median (goal $keys_low to $keys_high: $goals)"
        read -r none_bytes many_bytes <"$work/state-bytes"
        echo "state row written per debit: $none_bytes bytes with no keys, $many_bytes bytes with $key_count keys"
    fi
    while IFS='|' read -r storage letter label target rps _; do
        [ "$letter" = g ] || continue
        base=$(awk -F'|' -v s="$storage" '$1 == s && $3 == "healthz" {print $5}' "$rows")
        echo "Clear Key redemptions vs /healthz, $storage $target: $rps vs $base req/s, (g)/(a) = $(awk -v r="$rps" -v b="$base" 'BEGIN{ if (b > 0) printf "%.2f", r / b; else print "-" }')"
    done <"$rows"
    [ "$missed" -eq 0 ] && echo "goals: all met" || echo "goals: NOT all met (see NO above)"
    echo
    echo "CPU during each measurement, in cores (of $(nproc)):"
    awk -F'|' '{printf "  %-9s %-13s %s\n", $1, $3, $10}' "$rows"
    echo
    echo "Caveat: wrk and the service share this machine's $(nproc) cores, and other work on it ('other' above,"
    echo "the load averages) takes from both; compare ratios within one run, not figures across machines or runs."
    [ "$flagged" -eq 0 ]
}

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
