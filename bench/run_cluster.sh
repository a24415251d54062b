# The PostgreSQL cluster in bench/run.sh, sourced by it: the developer's postgres.env kept aside, and the cluster
# started, measured on one gateway and on both, and stopped.
# shellcheck shell=bash

# cluster.sh up remembers where it put PostgreSQL in .run/postgres.env, for later commands without settings; put
# back what a developer's own cluster had there, so that it does not land on the benchmark's port.
pg_env=$repo/deploy/local/.run/postgres.env
save_pg_env() { if [ -f "$pg_env" ]; then cp "$pg_env" "$work/postgres.env.saved"; fi; }
restore_pg_env() {
    if [ -f "$work/postgres.env.saved" ]; then cp "$work/postgres.env.saved" "$pg_env"; else rm -f "$pg_env"; fi
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
