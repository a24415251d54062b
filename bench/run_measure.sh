# The measuring of bench/run.sh, sourced by it: wrk installed, one wrk run, one measurement (a row of $rows),
# (b) and (d) as pairs, the warm-up; the customer ids of the run and the check of a first mint.
# shellcheck shell=bash

# ---- what it needs -----------------------------------------------------------------------------------------------

install_wrk() {
    command -v wrk >/dev/null && return
    [ "$(id -u)" -eq 0 ] || fail "wrk is missing; run as root or install it with apt-get install wrk"
    say "installing wrk (apt)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } >"$work/apt.log" 2>&1 \
        || fail "apt-get install wrk failed, see $work/apt.log"
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
