#!/usr/bin/env bash
# Failure drills for deploy/deploy.sh on a local stack (nginx in front of blue on version 1): every
# failed deploy exits non-zero and leaves the old colour serving through nginx, the upstream file as it
# was, and the new colour stopped. Drills: a corrupt model version never gets ready; a golden request
# fails; `nginx -t` rejects the new upstream; the new colour is killed right after the flip; the new
# colour's p99 passes its threshold under load; two deploys at once; a rollback asked for while a
# deploy runs; then a rollback by hand, `stop` of the active colour, and `status`.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=deploy-stack.sh
source "$INTEGRATION_DIR/deploy-stack.sh"
begin_test deploy-drills

export CONCIERGE_DEPLOY_GRACE_SECONDS=1 CONCIERGE_DEPLOY_ANALYSIS_SECONDS=2 CONCIERGE_DEPLOY_ANALYSIS_INTERVAL=0.25
export CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS=20 CONCIERGE_DEPLOY_MAX_P99_SECONDS=1
stack_up
UPSTREAM=$CONCIERGE_DEPLOY_NGINX_UPSTREAM
DEPLOY_LOG=$CONCIERGE_DEPLOY_STATE_DIR/deploy.log

# Version 3 with one file changed after publishing: its SHA-256 no longer matches the manifest.
corrupt_file=$CONCIERGE_DEPLOY_REGISTRY/roomservice/3/item_ids.txt
chmod u+w "$corrupt_file"
echo 999999 >>"$corrupt_file"

answers_from() { curl -fsS -o /dev/null "http://127.0.0.1:$1/live" 2>/dev/null; }
silent_on() { ! answers_from "$1"; }

# wait_for WHAT LOG COMMAND...: polls COMMAND until it succeeds; after 30 s fails the test with WHAT
# and the deploy's LOG.
wait_for() {
    local what=$1 deploy_log=$2 deadline=$((SECONDS + 30))
    shift 2
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail_now "$what did not happen in 30 s: $(cat "$deploy_log")"
        sleep 0.02
    done
}

# check_says DESCRIPTION PATTERN FILE: FILE has PATTERN; shows FILE when it has not.
check_says() {
    check "$1" grep -q -- "$2" "$3"
    grep -q -- "$2" "$3" || sed 's/^/    /' "$3"
}

# expect_unchanged DRILL SERVED_MODEL: after a failed deploy, nothing moved.
expect_unchanged() {
    local drill=$1 model=$2 active_port
    check "$drill: the upstream file is byte for byte the one before" cmp -s "$UPSTREAM" "$TEST_DIR/upstream.before"
    check "$drill: nginx still serves $model" [ "$(served_model)" = "$model" ]
    active_port=$(sed -n 's/^ *server [^:]*:\([0-9]*\)[ ;].*/\1/p' "$UPSTREAM")
    for port in "$CONCIERGE_DEPLOY_BLUE_PORT" "$CONCIERGE_DEPLOY_GREEN_PORT"; do
        [ "$port" != "$active_port" ] || continue
        check "$drill: the new colour (port $port) is stopped" silent_on "$port"
    done
}

# failed_deploy DRILL EXPECTED_TEXT deploy-arguments...: the deploy must exit non-zero and say why.
failed_deploy() {
    local drill=$1 expected=$2 output=$TEST_DIR/$1.log
    shift 2
    cp "$UPSTREAM" "$TEST_DIR/upstream.before"
    if deploy "$@" >"$output" 2>&1; then
        cat "$output"
        check "$drill: deploy.sh $* exits non-zero" false
        return
    fi
    check "$drill: deploy.sh $* exits non-zero" true
    check_says "$drill: it says '$expected'" "$expected" "$output"
    check_says "$drill: it says what serves now" "state now: upstream -> " "$output"
}

log "drill: a corrupt version never gets ready"
failed_deploy corrupt "green never became ready on roomservice/3" up 3
check_says "corrupt: the reason names the corrupt file" "item_ids.txt" "$TEST_DIR/corrupt.log"
expect_unchanged corrupt roomservice/1
check_says "corrupt: the deploy log records the failure" "action=up colour=green version=3 .*outcome=failed" "$DEPLOY_LOG"

log "drill: a golden request fails"
printf '# a guest no version knows\nguest no-such-guest\n' >"$TEST_DIR/golden.txt"
CONCIERGE_DEPLOY_GOLDEN_REQUESTS=$TEST_DIR/golden.txt failed_deploy golden "golden requests failed on green" up 2
expect_unchanged golden roomservice/1

log "drill: nginx -t rejects the new upstream"
CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE_TIMEOUT=soon failed_deploy nginx-t "nginx -t rejected the new upstream" up 2
check_says "nginx-t: nginx's own complaint is shown" '"keepalive_timeout" directive invalid value' "$TEST_DIR/nginx-t.log"
expect_unchanged nginx-t roomservice/1

log "drill: the new colour is killed right after the flip"
cp "$UPSTREAM" "$TEST_DIR/upstream.before"
CONCIERGE_DEPLOY_ANALYSIS_SECONDS=30 deploy up 2 >"$TEST_DIR/killed.log" 2>&1 &
deploy_pid=$!
wait_for "the flip" "$TEST_DIR/killed.log" grep -q ":$CONCIERGE_DEPLOY_GREEN_PORT " "$UPSTREAM"
kill -KILL "$(cat "$CONCIERGE_DEPLOY_STATE_DIR/green/127.0.0.1:$CONCIERGE_DEPLOY_GREEN_PORT/pid")"
log "killed green (the upstream names it)"
if wait "$deploy_pid"; then killed_status=0; else killed_status=$?; fi
check "killed: the deploy exits non-zero" [ "$killed_status" != 0 ]
check_says "killed: it rolled back to blue" "rollback: nginx answers from blue again" "$TEST_DIR/killed.log"
expect_unchanged killed roomservice/1
check_says "killed: the deploy log says rolled-back" "version=2 .*outcome=rolled-back" "$DEPLOY_LOG"

log "drill: p99 past its threshold under load"
start_load "$TEST_DIR/p99-load.out" 5
CONCIERGE_DEPLOY_MAX_P99_SECONDS=0.000001 CONCIERGE_DEPLOY_ANALYSIS_SECONDS=10 failed_deploy p99 "p99 of" up 2
stop_load "$TEST_DIR/p99-load.out"
expect_unchanged p99 roomservice/1
check "p99: the load saw no failed connection through the rollback" \
    [ "$(load_field connect)/$(load_field read)/$(load_field write)/$(load_field timeout)/$(load_field non2xx)" = 0/0/0/0/0 ]

log "drill: two deploys at once"
CONCIERGE_DEPLOY_GRACE_SECONDS=3 "$REPO/deploy/deploy.sh" up 2 >"$TEST_DIR/first.log" 2>&1 &
first_pid=$!
wait_for "the first deploy's lock" "$TEST_DIR/first.log" grep -qs "^pid $first_pid, 'up 2'" "$CONCIERGE_DEPLOY_STATE_DIR/deploy.owner"
started=$SECONDS
if deploy up 4 >"$TEST_DIR/refused.log" 2>&1; then refused_status=0; else refused_status=$?; fi
check "concurrent: a second deploy is refused while the first runs" [ "$refused_status" != 0 ]
check_says "concurrent: it says who holds the lock" "another deploy holds .*(pid $first_pid, 'up 2', since" "$TEST_DIR/refused.log"
check "concurrent: it refuses at once" [ $((SECONDS - started)) -le 2 ]
CONCIERGE_DEPLOY_LOCK_TIMEOUT=60 deploy up 4 >"$TEST_DIR/waited.log" 2>&1 &
waiting_pid=$!
if wait "$first_pid"; then first_status=0; else first_status=$?; fi
check "concurrent: the first deploy succeeds" [ "$first_status" = 0 ]
if wait "$waiting_pid"; then waited_status=0; else waited_status=$?; fi
check "concurrent: a deploy told to wait does, then succeeds" [ "$waited_status" = 0 ]
check_says "concurrent: it said it was waiting" "waiting up to 60 s" "$TEST_DIR/waited.log"
check "concurrent: the deploys ran one after the other" \
    [ "$(grep -o 'action=up colour=[a-z]* version=[0-9]' "$DEPLOY_LOG" | tail -n 2 | paste -sd ' ')" = \
      "action=up colour=green version=2 action=up colour=blue version=4" ]
check "concurrent: nginx serves version 4" [ "$(served_model)" = roomservice/4 ]

log "drill: a rollback asked for while a deploy watches its new colour"
CONCIERGE_DEPLOY_ANALYSIS_SECONDS=30 deploy up 2 >"$TEST_DIR/interrupted.log" 2>&1 &
deploy_pid=$!
wait_for "the deploy's watch" "$TEST_DIR/interrupted.log" grep -q "watch green" "$TEST_DIR/interrupted.log"
if deploy rollback >"$TEST_DIR/rollback-during.log" 2>&1; then rollback_status=0; else rollback_status=$?; fi
check "rollback during a deploy: the rollback command succeeds" [ "$rollback_status" = 0 ]
if wait "$deploy_pid"; then interrupted_status=0; else interrupted_status=$?; fi
check "rollback during a deploy: the deploy exits non-zero" [ "$interrupted_status" != 0 ]
check_says "rollback during a deploy: the deploy says it was interrupted" "interrupted by SIGTERM" "$TEST_DIR/interrupted.log"
check "rollback during a deploy: nginx serves version 4 again" [ "$(served_model)" = roomservice/4 ]
check "rollback during a deploy: green is stopped" silent_on "$CONCIERGE_DEPLOY_GREEN_PORT"

log "drill: rollback by hand, after a finished deploy"
deploy rollback >"$TEST_DIR/rollback.log" 2>&1 || { cat "$TEST_DIR/rollback.log"; fail_now "deploy.sh rollback failed"; }
check "rollback: nginx serves the previous version (2, on green) again" [ "$(served_model)" = roomservice/2 ]
check "rollback: blue is stopped" silent_on "$CONCIERGE_DEPLOY_BLUE_PORT"
check_says "rollback: the deploy log records it" "action=rollback colour=green version=2 .*outcome=ok" "$DEPLOY_LOG"

log "drill: stop and status"
if deploy stop green >"$TEST_DIR/stop.log" 2>&1; then stop_status=0; else stop_status=1; fi
check "stop: the active colour is not stopped without --force" [ "$stop_status" = 1 ]
check "stop: green still answers" answers_from "$CONCIERGE_DEPLOY_GREEN_PORT"
if deploy status >"$TEST_DIR/status.log" 2>&1; then status_status=0; else status_status=$?; fi
check "status: exits 0 while the active colour is ready" [ "$status_status" = 0 ]
check_says "status: names the active colour and its version" "green  active  running  127.0.0.1:$CONCIERGE_DEPLOY_GREEN_PORT .*ready 2 green" "$TEST_DIR/status.log"
