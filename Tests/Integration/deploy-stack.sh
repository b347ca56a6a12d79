# shellcheck shell=bash
# Shared by the deploy tests (deploy.test.sh, deploy-drills.test.sh, deploy-fleet.test.sh), sourced after lib.sh and
# begin_test: a registry with versions 1 (production) to 4, a stack from deploy/local-stack.sh on free
# loopback ports, deploy.sh's settings in the environment, and the stack's teardown at exit.

STACK=$REPO/deploy/local-stack.sh

deploy() { "$REPO/deploy/deploy.sh" "$@"; }

# make_versions FOLDER: the sample registry (version 1, production) and versions 2 to 4 (other seeds).
make_versions() {
    local folder=$1 seed
    sample_registry "$folder"
    for seed in 11 12 13; do
        "$CONCIERGE_BIN" train --store "$folder/store.sqlite" --registry "$folder/models" \
            --no-tune --factors 8 --iterations 5 --seed "$seed" >>"$folder/train.log" 2>&1 ||
            fail_now "training with seed $seed failed: $(tail -n 3 "$folder/train.log")"
    done
}

# stack_up: the registry, the settings, then nginx in front of blue on version 1.
stack_up() {
    make_versions "$TEST_DIR/registry"
    stack_start
}

# stack_start: the settings, then nginx in front of blue on version 1, from the registry already made
# (CONCIERGE_DEPLOY_BLUE_INSTANCES and _GREEN_INSTANCES, when set, say where the colours run).
stack_start() {
    export CONCIERGE_DEPLOY_BIN=$CONCIERGE_BIN CONCIERGE_DEPLOY_REGISTRY=$TEST_DIR/registry/models CONCIERGE_DEPLOY_STATE_DIR=$TEST_DIR/stack
    CONCIERGE_DEPLOY_PUBLIC_PORT=$(free_port)
    CONCIERGE_DEPLOY_BLUE_PORT=$(free_port)
    CONCIERGE_DEPLOY_GREEN_PORT=$(free_port)
    export CONCIERGE_DEPLOY_PUBLIC_PORT CONCIERGE_DEPLOY_BLUE_PORT CONCIERGE_DEPLOY_GREEN_PORT
    export CONCIERGE_ACCESS_LOG=false CONCIERGE_DEPLOY_READY_TIMEOUT=30
    # Every instance protects its routes with an API key, so the deploy's own checks must present one too.
    DEPLOY_TOKEN=$TEST_DIR/deploy.token
    "$CONCIERGE_BIN" keys new --scopes recommend,model,metrics --name deploy --token-file "$DEPLOY_TOKEN" \
        >"$TEST_DIR/api-keys" || fail_now "concierge keys new failed"
    export CONCIERGE_API_KEYS=$TEST_DIR/api-keys CONCIERGE_DEPLOY_CREDENTIALS_FILE=$DEPLOY_TOKEN
    trap stack_down_and_finish EXIT
    "$STACK" up >"$TEST_DIR/stack-up.log" 2>&1 || { cat "$TEST_DIR/stack-up.log"; fail_now "local-stack.sh up failed"; }
    eval "$("$STACK" env)"
    GUESTS=$CONCIERGE_DEPLOY_REGISTRY/roomservice/1/user_ids.txt
    log "stack up: nginx on $CONCIERGE_DEPLOY_PUBLIC_URL, blue on ${CONCIERGE_DEPLOY_BLUE_INSTANCES:-$CONCIERGE_DEPLOY_BLUE_PORT}," \
        "green on ${CONCIERGE_DEPLOY_GREEN_INSTANCES:-$CONCIERGE_DEPLOY_GREEN_PORT}"
}

# The stack's processes were started by deploy.sh and local-stack.sh, each recorded in a PID file.
stack_down_and_finish() {
    local status=$?
    "$STACK" down >>"$TEST_DIR/stack-down.log" 2>&1 || log "local-stack.sh down failed: $(tail -n 3 "$TEST_DIR/stack-down.log")"
    (exit "$status")
    finish_test
}

# served_model: the model version of nginx's answer to /recommend ("roomservice/N"), or nothing.
served_model() {
    curl -sS -o /dev/null -D - -H "Authorization: Bearer $(<"$DEPLOY_TOKEN")" \
        "$CONCIERGE_DEPLOY_PUBLIC_URL/recommend?k=1&user=$(head -n 1 "$GUESTS")" 2>/dev/null |
        tr -d '\r' | sed -n 's/^[Xx]-[Cc]oncierge-[Mm]odel: //p'
}

# start_load LOGFILE PAUSE_MS: wrk through nginx (deploy-load.lua) on 4 connections, each pausing
# PAUSE_MS between requests, until stop_load; returns once nginx has counted its first 100 requests.
start_load() {
    local logfile=$1 pause=$2 before deadline=$((SECONDS + 10))
    before=$(nginx_requests)
    start_process "$logfile" wrk --threads 2 --connections 4 --duration 300s --timeout 2s \
        --script "$INTEGRATION_DIR/deploy-load.lua" "$CONCIERGE_DEPLOY_PUBLIC_URL/" -- "$GUESTS" "$pause" "$DEPLOY_TOKEN"
    LOAD_PID=$LAST_PID
    until [ "$(nginx_requests)" -gt $((before + 100)) ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail_now "wrk's load does not reach nginx"
        sleep 0.1
    done
}

# stop_load: SIGINT makes wrk print its summary; sets LOAD_RESULT to its RESULT line.
stop_load() {
    kill -INT "$LOAD_PID"
    wait "$LOAD_PID" || true
    LOAD_RESULT=$(grep '^RESULT ' "$1") || { cat "$1"; fail_now "wrk printed no RESULT line"; }
}

# load_field NAME: a field of LOAD_RESULT.
load_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$LOAD_RESULT"; }

# nginx_requests: requests nginx has handled since it started (its stub_status).
nginx_requests() { curl -fsS "$CONCIERGE_DEPLOY_PUBLIC_URL/nginx_status" | awk 'NR == 3 { print $3 }'; }
