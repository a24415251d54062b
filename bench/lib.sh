# Helpers of bench/run.sh and bench/accounts.sh, sourced by both. The script sets repo (the repository) and work
# (its temporary directory) first, and bench_name (the word its progress lines start with) if not "bench".
# shellcheck shell=bash

release() { echo "$repo/$1/bin/Release/net10.0/$2"; }
gateway_dll=$(release gateway Orleans.Tokens.Gateway.dll)
admin_dll=$(release admin Orleans.Tokens.Admin.dll)

say() { echo "${bench_name:-bench} $(date +%T): $*" >&2; }
fail() { say "$*"; exit 1; }

# build <project…>: each in Release, its log in $work.
build() {
    say "building (Release)"
    local project
    for project in "$@"; do
        dotnet build -c Release -nologo -v q "$repo/$project" >"$work/build-$project.log" 2>&1 \
            || fail "build of $project failed, see $work/build-$project.log"
    done
}

port_in_use() { ss -Htln "sport = :$1" | grep -q .; }

# A free port below the kernel's ephemeral range, so that no outgoing connection takes it between this check and
# the bind (a silo once failed to start with "address in use" on a port picked from 40000-48999).
free_port() {
    local port low
    low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) || low=32768
    for port in $(shuf -i 20000-$(( ${low:-32768} - 1 )) -n 100); do
        port_in_use "$port" || { echo "$port"; return; }
    done
    fail "no free port found"
}

# free_ports <n>: n different free ports, on one line.
free_ports() {
    local ports=() port
    while [ ${#ports[@]} -lt "$1" ]; do
        port=$(free_port)
        [[ " ${ports[*]} " == *" $port "* ]] || ports+=("$port")
    done
    echo "${ports[*]}"
}

# CPU time in clock ticks (clk_tck a second): of the given processes (user + system, all threads), and of the
# whole machine busy.
clk_tck=$(getconf CLK_TCK)
proc_ticks() {
    local pid total=0 t
    for pid in "$@"; do
        t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# ---- the embedded gateway ----------------------------------------------------------------------------------------

embedded_pid=
embedded_ready() {
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null || return 1
    curl -s "http://127.0.0.1:$1/hms/wv/token?customerAuthenticator=1,00000000000000000000000000000000&kid=^ready&contentKey=00112233445566778899aabbccddeeff&securityLevel=1&hdcpOutputControl=0&errorFormat=json" \
        | grep -q -- '-2018'
}

# start_embedded <data directory> [gateway setting…]: the embedded gateway (Release) on free ports, run in $work, its
# output appended to $work/embedded.log; returns once it answers mints. Sets embedded_pid, embedded_http (its HTTP
# port), embedded_proxy (its Orleans gateway port) and embedded_data, what embedded_admin needs.
start_embedded() {
    local silo
    embedded_data=$1; shift
    read -r embedded_http silo embedded_proxy <<<"$(free_ports 3)"
    mkdir -p "$embedded_data"
    say "starting the embedded gateway on :$embedded_http (silo :$silo, Orleans gateway :$embedded_proxy, data $embedded_data)"
    (cd "$work" && exec dotnet "$gateway_dll" --urls "http://127.0.0.1:$embedded_http" --Cluster:SiloPort="$silo" \
        --Cluster:GatewayPort="$embedded_proxy" --Tokens:DataDirectory="$embedded_data" "$@") \
        >>"$work/embedded.log" 2>&1 </dev/null &
    embedded_pid=$!
    local deadline=$((SECONDS + 120))
    until embedded_ready "$embedded_http"; do
        kill -0 "$embedded_pid" 2>/dev/null || { tail -n 20 "$work/embedded.log" >&2; fail "the embedded gateway exited"; }
        [ $SECONDS -lt $deadline ] || fail "the embedded gateway was not ready within 120 s"
        sleep 1
    done
}

# embedded_admin <command…>: the admin tool (Release) against the embedded gateway start_embedded started.
embedded_admin() { env Cluster__GatewayPort="$embedded_proxy" Tokens__DataDirectory="$embedded_data" dotnet "$admin_dll" "$@"; }

stop_embedded() {
    [ -n "$embedded_pid" ] || return 0
    if kill -0 "$embedded_pid" 2>/dev/null && tr '\0' ' ' <"/proc/$embedded_pid/cmdline" | grep -qF "$gateway_dll"; then
        say "stopping the embedded gateway (pid $embedded_pid)"
        kill -TERM "$embedded_pid"
        for _ in $(seq 30); do kill -0 "$embedded_pid" 2>/dev/null || break; sleep 1; done
        if kill -0 "$embedded_pid" 2>/dev/null; then kill -KILL "$embedded_pid"; fi
    fi
    embedded_pid=
}

# ---- customers ---------------------------------------------------------------------------------------------------

# create_customers <first id> <count> <balance> <processes> <authenticators file or ""> <admin command…>: customers
# <first id> onwards, each with <balance> production tokens, made by <processes> `admin batch` runs at once (each
# one connection, its lines one after another); their production authenticators go to the file when one is named.
# Says how many are made every 30 s; fails unless every line made its customer.
create_customers() {
    local first=$1 count=$2 balance=$3 processes=$4 keep=$5 p pids=() said=$SECONDS
    shift 5
    say "creating $count customers with $balance tokens each ($processes admin batch at once)"
    rm -f "$work"/made-*
    for p in $(seq 0 $((processes - 1))); do
        awk -v first="$first" -v n="$count" -v p="$p" -v step="$processes" -v balance="$balance" \
            'BEGIN { for (i = p; i < n; i += step) printf "customer create %d --balance %d\n", first + i, balance }' \
            | "$@" batch 2>"$work/admin-$p.err" \
            | awk -v keep="${keep:+$work/made-$p.auth}" -v count="$work/made-$p.count" '
                /"production":"/ { made++; if (made % 1000 == 0) { print made > count; close(count) }
                                   if (keep != "" && match($0, /"production":"[^"]+"/)) print substr($0, RSTART + 14, RLENGTH - 15) > keep
                                   next }
                bad++ < 3 { print > "/dev/stderr" }
                END { print made + 0 > count }' 2>>"$work/admin-$p.err" &
        pids+=($!)
    done
    while running "${pids[@]}"; do
        sleep 1
        if [ $((SECONDS - said)) -ge 30 ]; then said=$SECONDS; say "  $(made) of $count made"; fi
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    [ "$(made)" -eq "$count" ] || { tail -n 5 "$work"/admin-*.err >&2; fail "admin batch made $(made) of $count customers"; }
    if [ -n "$keep" ]; then cat "$work"/made-*.auth >"$keep"; fi
}
made() { cat "$work"/made-*.count 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'; }
running() { local pid; for pid; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }

# mint_each <port> <authenticators file>: one Widevine mint from each customer, 32 at a time (curl --parallel); fails
# unless every answer is a 200.
mint_each() {
    local config=$work/mint-each.curl n good
    n=$(wc -l <"$2")
    awk -v port="$1" '{ printf "url = \"http://127.0.0.1:%s/hms/wv/token?customerAuthenticator=%s&kid=%032x&contentKey=00112233445566778899aabbccddeeff&securityLevel=1&hdcpOutputControl=0&errorFormat=json\"\noutput = \"/dev/null\"\n", port, $1, NR }' \
        "$2" >"$config"
    curl -s --no-progress-meter --parallel --parallel-max 32 --max-time 60 -w '%{http_code}\n' -K "$config" \
        >"$work/mint-each.codes" 2>"$work/mint-each.err" || true
    good=$(grep -c '^200$' "$work/mint-each.codes" || true)
    [ "$good" -eq "$n" ] \
        || fail "one mint from each of $n customers: $((n - good)) answers were not 200 ($(sort "$work/mint-each.codes" | uniq -c | tr -s ' \n' ' '))"
}
