#!/usr/bin/env bash
# A local cluster of Orleans.Tokens on this machine: its own PostgreSQL on 127.0.0.1, 2 silos and 2 gateways
# in Cluster:Mode=Client (http://127.0.0.1:8081 and http://127.0.0.1:8082).
#
#   deploy/local/cluster.sh up              install PostgreSQL and curl if missing (apt), start everything, wait until ready
#   deploy/local/cluster.sh down            stop everything up started
#   deploy/local/cluster.sh admin <args…>   run the admin tool against this cluster
#
# Pids, logs, the database password, the token key and the cluster's CA and certificates (.run/tls, made with
# openssl; every Orleans connection is mutual TLS) live in deploy/local/.run/ (never committed).
# PostgreSQL keeps its data in $TOKENS_PG_DATA (default /tmp/orleans-tokens-pg-<port>), where the postgres user
# can reach it when this runs as root. Port of PostgreSQL: $TOKENS_PG_PORT (default 55432); up remembers both.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
run=$here/.run

# Where up last put PostgreSQL, unless told otherwise, so that admin and down need no settings repeated.
if [ -z "${TOKENS_PG_PORT:-}${TOKENS_PG_DATA:-}" ] && [ -f "$run/postgres.env" ]; then . "$run/postgres.env"; fi
pg_port=${TOKENS_PG_PORT:-${pg_port:-55432}}
pg_data=${TOKENS_PG_DATA:-${pg_data:-/tmp/orleans-tokens-pg-$pg_port}}
silo_ports=(22111 22112)      # silo to silo
silo_http_ports=(22181 22182) # each silo's /metrics, /healthz, /readyz
proxy_ports=(22121 22122)     # Orleans gateways, for clients
http_ports=(8081 8082)
management_ports=(22191 22192) # each gateway's management listener: /metrics, /healthz, /readyz
ready_timeout=180

bin_dir() { echo "$repo/$1/bin/Release/net10.0"; }
silo_dll=$(bin_dir silo)/Orleans.Tokens.Silo.dll
gateway_dll=$(bin_dir gateway)/Orleans.Tokens.Gateway.dll
admin_dll=$(bin_dir admin)/Orleans.Tokens.Admin.dll

say() { echo "cluster: $*" >&2; }
fail() { say "$*"; exit 1; }

# PostgreSQL refuses to run as root: its server and superuser tools run as the postgres user then.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ] && command -v initdb >/dev/null; then dir=$(dirname "$(command -v initdb)"); fi
    echo "$dir"
}

# What up needs beyond the .NET SDK: PostgreSQL's server and curl (for the readiness checks).
install_missing() {
    local packages=()
    [ -n "$(pg_bin)" ] || packages+=(postgresql)
    command -v curl >/dev/null || packages+=(curl)
    [ ${#packages[@]} -eq 0 ] && return
    [ "$(id -u)" -eq 0 ] || fail "missing ${packages[*]}; run as root or install them with apt-get"
    say "installing ${packages[*]} (apt)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"; } >"$run/apt.log" 2>&1 \
        || fail "apt-get install ${packages[*]} failed, see $run/apt.log"
}

psql_admin() {
    as_postgres "$(pg_bin)/psql" -h "$pg_data" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

# Secrets made once, kept owner-only in .run.
secret() {
    local file=$run/$1
    if [ ! -s "$file" ]; then (umask 077 && eval "$2" >"$file"); fi
    cat "$file"
}
pg_password() { secret pg-password 'head -c 16 /dev/urandom | od -An -tx1 | tr -dc 0-9a-f'; }
token_key() { secret token-key "head -c 32 /dev/urandom | base64 -w0"; }
key_storage_key() { secret key-storage-key "head -c 32 /dev/urandom | base64 -w0"; }

start_postgres() {
    local bin
    bin=$(pg_bin)
    if [ ! -s "$pg_data/PG_VERSION" ]; then
        say "creating a PostgreSQL data directory in $pg_data"
        mkdir -p "$pg_data"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$pg_data"
        chmod 700 "$pg_data"
        as_postgres "$bin/initdb" -D "$pg_data" -U postgres -E UTF8 --auth-local=trust --auth-host=scram-sha-256 \
            >"$run/initdb.log" 2>&1 || fail "initdb failed, see $run/initdb.log"
        # The socket sits in the owner-only data directory, so local trust reaches only its owner.
        as_postgres tee -a "$pg_data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_data'
EOF
    fi
    if ! as_postgres "$bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
        say "starting PostgreSQL on 127.0.0.1:$pg_port"
        as_postgres "$bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 start >/dev/null \
            || fail "PostgreSQL did not start, see $pg_data/server.log"
    fi
    ln -sfn "$pg_data/server.log" "$run/postgres.log"
    head -n 1 "$pg_data/postmaster.pid" >"$run/postgres.pid"
    printf 'pg_port=%q\npg_data=%q\n' "$pg_port" "$pg_data" >"$run/postgres.env"
    psql_admin -d postgres <<EOF
SELECT 'CREATE ROLE tokens LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tokens') \gexec
ALTER ROLE tokens PASSWORD '$(pg_password)';
SELECT 'CREATE DATABASE tokens OWNER tokens' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tokens') \gexec
EOF
}

# The cluster's private CA and a certificate per role (OU=silo, gateway, admin; the subject's OU is the role the
# silos check), made once with openssl, owner-only in .run/tls. ECDSA P-256, both TLS key usages, valid a year.
make_certificates() {
    local tls=$run/tls role
    command -v openssl >/dev/null || fail "openssl is missing (apt-get install openssl)"
    (umask 077 && mkdir -p "$tls")
    if [ ! -s "$tls/ca.pem" ]; then
        say "making the cluster CA and certificates in $tls (openssl)"
        (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
            -keyout "$tls/ca.key" -out "$tls/ca.pem" -subj "/O=orleans-tokens/CN=Orleans.Tokens local cluster CA" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign) >"$run/tls.log" 2>&1 \
            || fail "openssl could not make the CA, see $run/tls.log"
    fi
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/leaf.ext"
    for role in silo gateway admin; do
        [ -s "$tls/$role.pem" ] && continue
        (umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls/$role.key" \
            -out "$tls/$role.csr" -subj "/O=orleans-tokens/OU=$role/CN=local $role" \
            && openssl x509 -req -in "$tls/$role.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 365 \
                -extfile "$tls/leaf.ext" -out "$tls/$role.pem") >>"$run/tls.log" 2>&1 \
            || fail "openssl could not make the $role certificate, see $run/tls.log"
    done
}

# Points Cluster:Tls at the certificate of a role (silo, gateway, admin).
export_tls_env() {
    export Cluster__Tls__CaCertificate=$run/tls/ca.pem
    export Cluster__Tls__Certificate=$run/tls/$1.pem
    export Cluster__Tls__PrivateKey=$run/tls/$1.key
}

# The settings every process of this cluster shares (secrets included), as environment variables.
export_cluster_env() {
    export Cluster__Storage=PostgreSql
    # Two silos share PostgreSQL's 100 connections: each pool stays well inside half of them.
    export ConnectionStrings__Tokens="Host=127.0.0.1;Port=$pg_port;Database=tokens;Username=tokens;Password=$(pg_password);Maximum Pool Size=30"
    export Tokens__TokenKeys__local="$(token_key)"
    export Tokens__ActiveTokenKey=local
    # The silos' key that seals stored content keys (contract section 12).
    export Tokens__KeyStorageKeys__local="$(key_storage_key)"
    export Tokens__ActiveKeyStorageKey=local
}

alive() { [ -s "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

# Starts one process in the background, its output in .run/<name>.log and its pid in .run/<name>.pid.
start() {
    local name=$1; shift
    (cd "$run" && exec nohup "$@") >"$run/$name.log" 2>&1 </dev/null &
    echo $! >"$run/$name.pid"
}

wait_for() {
    local what=$1 check=$2 deadline=$((SECONDS + ready_timeout)) name
    shift 2
    until $check; do
        for name in "$@"; do alive "$name" || fail "$name exited, see $run/$name.log"; done
        [ $SECONDS -lt $deadline ] || fail "$what not ready within $ready_timeout s"
        sleep 1
    done
}

silos_active() {
    local count
    [ "$(psql_admin -d tokens -c "SELECT to_regclass('OrleansMembership') IS NOT NULL")" = t ] || return 1
    count=$(psql_admin -d tokens -c "SELECT count(*) FROM OrleansMembership
        WHERE DeploymentId = 'orleans-tokens' AND Status = 3 AND StartTime >= to_timestamp($up_started)
          AND Port IN (${silo_ports[0]}, ${silo_ports[1]})" 2>/dev/null) || return 1
    [ "$count" = 2 ]
}

# Ready means the gateway answers and a mint reaches a grain: an unknown customer is -2018.
gateway_ready() {
    local port=$1
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || return 1
    curl -s "http://127.0.0.1:$port/hms/wv/token?customerAuthenticator=1,00000000000000000000000000000000&kid=^ready&contentKey=00112233445566778899aabbccddeeff&securityLevel=1&hdcpOutputControl=0&errorFormat=json" \
        | grep -q -- '-2018'
}
gateways_ready() { gateway_ready "${http_ports[0]}" && gateway_ready "${http_ports[1]}"; }

up() {
    mkdir -p "$run"
    local name
    for name in silo1 silo2 gateway1 gateway2; do alive "$name" && fail "$name is running; run down first"; done
    up_started=$(date +%s)
    install_missing
    start_postgres

    say "building (Release)"
    for name in silo gateway admin; do
        dotnet build -c Release -nologo -v q "$repo/$name" >"$run/build-$name.log" 2>&1 \
            || fail "build of $name failed, see $run/build-$name.log"
    done

    make_certificates
    export_cluster_env
    export_tls_env silo
    say "starting 2 silos"
    for i in 0 1; do
        # Both apply the schema: it is idempotent and they take turns on a lock.
        start "silo$((i + 1))" dotnet "$silo_dll" --Cluster:ApplySchema=true \
            --Cluster:SiloPort="${silo_ports[i]}" --Cluster:GatewayPort="${proxy_ports[i]}" \
            --urls="http://127.0.0.1:${silo_http_ports[i]}"
    done
    wait_for "silos" silos_active silo1 silo2

    say "starting 2 gateways"
    export_tls_env gateway
    for i in 0 1; do
        start "gateway$((i + 1))" dotnet "$gateway_dll" --Cluster:Mode=Client --urls "http://127.0.0.1:${http_ports[i]}" \
            --Management:Urls="http://127.0.0.1:${management_ports[i]}"
    done
    wait_for "gateways" gateways_ready gateway1 gateway2
    say "ready in $((SECONDS)) s: http://127.0.0.1:${http_ports[0]} http://127.0.0.1:${http_ports[1]}"
}

# Stops one process by its pid file, if it is still the dll we started.
stop() {
    local name=$1 dll=$2 pid
    [ -s "$run/$name.pid" ] || return 0
    pid=$(cat "$run/$name.pid")
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$dll"; then
        say "stopping $name (pid $pid)"
        kill -TERM "$pid"
        # The hosts' own limit: the drain delay (5 s) and 30 s for requests in flight and Orleans.
        for _ in $(seq 36); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    fi
    rm -f "$run/$name.pid"
}

down() {
    stop gateway1 "$gateway_dll" & stop gateway2 "$gateway_dll" & wait
    stop silo1 "$silo_dll" & stop silo2 "$silo_dll" & wait
    if [ -s "$run/postgres.pid" ] && [ -n "$(pg_bin)" ]; then
        say "stopping PostgreSQL (pid $(cat "$run/postgres.pid"))"
        as_postgres "$(pg_bin)/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
        rm -f "$run/postgres.pid"
    fi
}

admin() {
    [ -f "$admin_dll" ] || fail "the admin tool is not built; run up first"
    export_cluster_env
    export_tls_env admin
    exec dotnet "$admin_dll" "$@"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    admin) shift; admin "$@" ;;
    *) fail "usage: $0 up | down | admin <command…>" ;;
esac
