# CPU accounting of bench/run.sh, sourced by it: the clock ticks of the measured storage's processes (the embedded
# gateway; or the cluster's gateways, silos and PostgreSQL) and of the whole machine, a snapshot of them before and
# after each measurement and the cores each used in between.
# shellcheck shell=bash

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
