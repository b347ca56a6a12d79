#!/usr/bin/env bash
# Zero downtime: wrk sends a steady load through nginx while three blue-green deploys in a row
# (deploy/deploy.sh with the process launcher, on a stack from deploy/local-stack.sh) move the served
# model from version 1 to 4. Afterwards: no failed connection, no answer but 2xx, every version served
# in turn and version 4 last. Prints each deploy's timings from the deploy log (docs/deploy.md).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=deploy-stack.sh
source "$INTEGRATION_DIR/deploy-stack.sh"
begin_test deploy

# Short windows so three deploys take seconds; every step still runs.
export CONCIERGE_DEPLOY_GRACE_SECONDS=2 CONCIERGE_DEPLOY_ANALYSIS_SECONDS=3 CONCIERGE_DEPLOY_ANALYSIS_INTERVAL=0.5
export CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS=50 CONCIERGE_DEPLOY_MAX_P99_SECONDS=1
stack_up
check "nginx serves version 1 before the deploys" [ "$(served_model)" = roomservice/1 ]
check "the instances refuse /recommend without the API key the deploy presents" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$CONCIERGE_DEPLOY_PUBLIC_URL/recommend?k=1&user=1")" = 401 ]

start_load "$TEST_DIR/wrk.out" 10
load_started=$SECONDS
for version in 2 3 4; do
    log "deploy.sh up $version (under load)"
    if deploy up "$version" >"$TEST_DIR/deploy-$version.log" 2>&1; then
        log "ok: deploy.sh up $version exited 0"
    else
        cat "$TEST_DIR/deploy-$version.log"
        fail_now "deploy.sh up $version failed"
    fi
    check "nginx serves version $version after its deploy" [ "$(served_model)" = "roomservice/$version" ]
done
stop_load "$TEST_DIR/wrk.out"
load_seconds=$((SECONDS - load_started))
log "load over ${load_seconds} s: ${LOAD_RESULT#RESULT }"

check "0 failed connections (connect, read, write errors and timeouts)" \
    [ "$(load_field connect)/$(load_field read)/$(load_field write)/$(load_field timeout)" = 0/0/0/0 ]
check "0 answers but 2xx" [ "$(load_field non2xx)" = 0 ]
check "a steady load: at least 50 answers a second" [ "$(load_field answers)" -ge $((50 * load_seconds)) ]
for version in 1 2 3 4; do
    check "answers came from version $version" grep -q "roomservice/$version:[1-9]" <<<"$(load_field models)"
done
check "every connection's last answer came from version 4" \
    [ -z "$(tr ',' '\n' <<<"$(load_field last)" | grep -v '^roomservice/4$')" ]
check "the served version is the last one deployed" [ "$(served_model)" = roomservice/4 ]
check "blue, the old colour, is stopped" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CONCIERGE_DEPLOY_BLUE_PORT/live")" = 000 ]

log "deploy timings, in seconds from the new colour's launch (total: the whole command):"
printf '  %-8s %-7s %-8s %-8s %-12s %-7s %s\n' version colour ready serving "old stopped" total "watched (p99)"
while read -r line; do
    value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf '  %-8s %-7s %-8s %-8s %-12s %-7s %s\n' "$(value version)" "$(value colour)" "$(value ready_s)" \
        "$(value flip_s)" "$(value old_stopped_s)" "$(value total_s)" "$(value requests) requests ($(value p99_s) s)"
done < <(grep ' action=up .*outcome=ok' "$CONCIERGE_DEPLOY_STATE_DIR/deploy.log")
check "the deploy log has three successful deploys" \
    [ "$(grep -c ' action=up .*outcome=ok' "$CONCIERGE_DEPLOY_STATE_DIR/deploy.log")" = 3 ]
check "each deploy judged its new colour on the load: no 5xx, enough requests" \
    [ "$(grep -c ' action=up .*outcome=ok .*errors_5xx=0 .*judged=1' "$CONCIERGE_DEPLOY_STATE_DIR/deploy.log")" = 3 ]
