#!/usr/bin/env bash
# Serving from a fleet, simulated on one machine: two hosts (127.0.0.2 and 127.0.0.3), each with its own
# registry copy filled by `concierge registry pull` from the training registry, and two instances per colour
# (one per host) behind one nginx upstream. Drills, in order:
#   - a host whose registry copy lacks the version: the deploy is refused before anything starts;
#   - three deploys under steady load: no failed connection, no answer but 2xx;
#   - a new instance that never becomes ready (its host's copy is corrupt): refused, and the old colour
#     keeps serving on every host;
#   - an instance of the active colour killed under load: no answer but 2xx (nginx retries on its sibling).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=deploy-stack.sh
source "$INTEGRATION_DIR/deploy-stack.sh"
begin_test deploy-fleet

HOSTS=(127.0.0.2 127.0.0.3)
TRAINING=$TEST_DIR/registry/models
make_versions "$TEST_DIR/registry"

# pull HOST VERSION [--alias A]: a version into the host's registry copy, as a serving host gets it.
pull() {
    local host=$1
    shift
    "$CONCIERGE_BIN" registry pull "$TRAINING" roomservice "$@" --registry "$TEST_DIR/hosts/$host/models" \
        >>"$TEST_DIR/pull.log" 2>&1 || { cat "$TEST_DIR/pull.log"; fail_now "registry pull to $host failed"; }
}
registries=()
for host in "${HOSTS[@]}"; do
    mkdir -p "$TEST_DIR/hosts/$host"
    pull "$host" 1 --alias production
    pull "$host" 2
    pull "$host" 3
    registries+=("$host=$TEST_DIR/hosts/$host/models")
done
pull 127.0.0.2 4
blue_port=$(free_port)
green_port=$(free_port)
export CONCIERGE_DEPLOY_HOST_REGISTRIES="${registries[*]}"
export CONCIERGE_DEPLOY_BLUE_INSTANCES="127.0.0.2:$blue_port 127.0.0.3:$blue_port"
export CONCIERGE_DEPLOY_GREEN_INSTANCES="127.0.0.2:$green_port 127.0.0.3:$green_port"
export CONCIERGE_DEPLOY_GRACE_SECONDS=2 CONCIERGE_DEPLOY_ANALYSIS_SECONDS=3 CONCIERGE_DEPLOY_ANALYSIS_INTERVAL=0.5
export CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS=50 CONCIERGE_DEPLOY_MAX_P99_SECONDS=1
stack_start
UPSTREAM=$CONCIERGE_DEPLOY_NGINX_UPSTREAM

# health_of INSTANCE: "STATUS VERSION COLOUR" from the instance itself, or nothing.
health_of() { curl -sS --max-time 2 "http://$1/health" 2>/dev/null | jq -r '"\(.status) \(.version) \(.color)"' 2>/dev/null || true; }

# serving COLOUR VERSION: every instance of COLOUR, on every host, is ready on VERSION, and the upstream
# names exactly them.
serving() {
    local colour=$1 version=$2 instances=CONCIERGE_DEPLOY_${1^^}_INSTANCES
    for instance in ${!instances}; do
        [ "$(health_of "$instance")" = "ready $version $colour" ] || return 1
    done
    [ "$(awk '$1 == "server" { print $2 }' "$UPSTREAM" | paste -sd ' ')" = "${!instances}" ]
}

silent() {
    local instances=CONCIERGE_DEPLOY_${1^^}_INSTANCES instance
    for instance in ${!instances}; do [ -z "$(health_of "$instance")" ] || return 1; done
}

load_clean() { [ "$(load_field connect)/$(load_field read)/$(load_field write)/$(load_field timeout)/$(load_field non2xx)" = 0/0/0/0/0 ]; }

check "blue serves version 1 on both hosts" serving blue 1
check "nginx serves version 1" [ "$(served_model)" = roomservice/1 ]
check "the upstream retries a failed instance elsewhere: max_fails and fail_timeout on each server" \
    [ "$(grep -c 'server 127\.0\.0\.[23]:[0-9]* max_fails=1 fail_timeout=10s;' "$UPSTREAM")" = 2 ]

log "drill: 127.0.0.3's registry copy lacks version 4"
cp "$UPSTREAM" "$TEST_DIR/upstream.before"
if deploy up 4 >"$TEST_DIR/lacking.log" 2>&1; then cat "$TEST_DIR/lacking.log"; check "lacking: deploy.sh up 4 is refused" false; fi
check "lacking: it names the host and the version" grep -q "127.0.0.3's registry .* has no roomservice/4" "$TEST_DIR/lacking.log"
check "lacking: the upstream file is byte for byte the one before" cmp -s "$UPSTREAM" "$TEST_DIR/upstream.before"
check "lacking: no green instance was started" silent green
check "lacking: blue still serves version 1 on both hosts" serving blue 1
pull 127.0.0.3 4

log "three deploys under steady load"
start_load "$TEST_DIR/deploys.out" 10
load_started=$SECONDS
for version in 2 3 4; do
    deploy up "$version" >"$TEST_DIR/deploy-$version.log" 2>&1 || { cat "$TEST_DIR/deploy-$version.log"; fail_now "deploy.sh up $version failed"; }
    log "ok: deploy.sh up $version exited 0"
done
stop_load "$TEST_DIR/deploys.out"
log "load over $((SECONDS - load_started)) s: ${LOAD_RESULT#RESULT }"
check "deploys: 0 failed connections and 0 answers but 2xx" load_clean
check "deploys: answers came from versions 1 to 4" grep -q 'roomservice/1:[1-9].*roomservice/2:[1-9].*roomservice/3:[1-9].*roomservice/4:[1-9]' <<<"$(load_field models)"
check "deploys: green serves version 4 on both hosts" serving green 4
check "deploys: blue is stopped on both hosts" silent blue
check "deploys: each checked both hosts' copies by manifest SHA-256" \
    [ "$(grep -l 'every host of [a-z]* holds roomservice/[234], manifest SHA-256 [0-9a-f]\{64\}' "$TEST_DIR"/deploy-[234].log | wc -l)" = 3 ]
check "deploys: each judged its new colour over both instances, with no 5xx" \
    [ "$(grep -c ' action=up .*outcome=ok .*errors_5xx=0 .*judged=1' "$CONCIERGE_DEPLOY_STATE_DIR/deploy.log")" = 3 ]

log "drill: one new instance never becomes ready (127.0.0.3's copy of version 3 is corrupt)"
corrupt_file=$TEST_DIR/hosts/127.0.0.3/models/roomservice/3/item_ids.txt
chmod u+w "$corrupt_file"
echo 999999 >>"$corrupt_file"
cp "$UPSTREAM" "$TEST_DIR/upstream.before"
start_load "$TEST_DIR/never-ready.out" 10
if deploy up 3 >"$TEST_DIR/never-ready.log" 2>&1; then cat "$TEST_DIR/never-ready.log"; check "never ready: deploy.sh up 3 is refused" false; fi
stop_load "$TEST_DIR/never-ready.out"
check "never ready: it says blue never became ready" grep -q "blue never became ready on roomservice/3" "$TEST_DIR/never-ready.log"
check "never ready: it names the instance and the corrupt file" grep -q "127.0.0.3:$blue_port: process .* exited" "$TEST_DIR/never-ready.log"
check "never ready: the upstream file is byte for byte the one before" cmp -s "$UPSTREAM" "$TEST_DIR/upstream.before"
check "never ready: green still serves version 4 on both hosts" serving green 4
check "never ready: blue is stopped on both hosts" silent blue
check "never ready: 0 failed connections and 0 answers but 2xx" load_clean

log "drill: an instance of the active colour is killed under load"
start_load "$TEST_DIR/killed.out" 10
kill -KILL "$(cat "$CONCIERGE_DEPLOY_STATE_DIR/green/127.0.0.2:$green_port/pid")"
log "killed green's instance on 127.0.0.2"
before=$(nginx_requests)
sleep 3
stop_load "$TEST_DIR/killed.out"
check "killed: nginx went on answering (over 100 requests in 3 s)" [ $(($(nginx_requests) - before)) -gt 100 ]
check "killed: 0 failed connections and 0 answers but 2xx" load_clean
check "killed: the sibling on 127.0.0.3 still serves version 4" [ "$(health_of "127.0.0.3:$green_port")" = "ready 4 green" ]
