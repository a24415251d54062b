# The embedded default in bench/run.sh, sourced by it: its Clear Key tokens for (g), the stored keys and state rows
# of (e) and (f), and the run of its measurements.
# shellcheck shell=bash

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
