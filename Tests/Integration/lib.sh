# shellcheck shell=bash
# Shared helpers of the integration tests (`Tests/Integration/*.test.sh`), sourced, never run.
#
# Every test runs against real programs on 127.0.0.1 only. A test starts processes with `start_process`,
# which records their PIDs; `stop_all` (installed as an EXIT trap by `begin_test`) stops each by PID,
# first with SIGTERM, then SIGKILL after a grace period. Scratch files live under $TEST_DIR, removed at
# exit unless KEEP_TEST_DIR=1.

set -euo pipefail

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$INTEGRATION_DIR/../.." && pwd)
CONCIERGE_BIN=${CONCIERGE_BIN:-$REPO/.build/debug/concierge}
STARTED_PIDS=()
FAILURES=0
TEST_NAME=""

# begin_test NAME: makes $TEST_DIR and the exit trap.
begin_test() {
    TEST_NAME=$1
    TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/concierge-$TEST_NAME-XXXXXX")
    trap finish_test EXIT
    [ -x "$CONCIERGE_BIN" ] || fail_now "no concierge binary at $CONCIERGE_BIN (swift build)"
    log "scratch folder $TEST_DIR"
}

finish_test() {
    local status=$?
    stop_all
    if [ "$status" -eq 0 ] && [ "$FAILURES" -eq 0 ]; then
        [ "${KEEP_TEST_DIR:-0}" = 1 ] || rm -rf "$TEST_DIR"
        echo "PASS $TEST_NAME"
    else
        echo "FAIL $TEST_NAME (scratch folder kept: $TEST_DIR)"
        [ "$status" -ne 0 ] || status=1
    fi
    exit "$status"
}

log() { printf '[%s %s] %s\n' "$TEST_NAME" "$(date +%H:%M:%S)" "$*"; }

# check DESCRIPTION COMMAND...: records a failure and goes on when COMMAND fails.
check() {
    local description=$1; shift
    if "$@"; then
        log "ok: $description"
    else
        log "NOT OK: $description"
        FAILURES=$((FAILURES + 1))
    fi
}

fail_now() { log "NOT OK: $*"; FAILURES=$((FAILURES + 1)); exit 1; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_process LOGFILE COMMAND...: runs COMMAND in the background, output to LOGFILE; sets $LAST_PID.
start_process() {
    local logfile=$1; shift
    "$@" >"$logfile" 2>&1 &
    LAST_PID=$!
    STARTED_PIDS+=("$LAST_PID")
}

# stop_process PID: SIGTERM, then SIGKILL after 10 s; waits for it.
stop_process() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do stop_process "$pid"; done
    STARTED_PIDS=()
}

# wait_for_url URL [SECONDS]: until URL answers 2xx; fails after the deadline (default 30 s).
wait_for_url() {
    local url=$1 deadline=$((SECONDS + ${2:-30}))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || { log "timed out waiting for $url"; return 1; }
        sleep 0.1
    done
}

# sample_registry FOLDER: a registry with a trained `roomservice` model promoted to production, made
# from generated orders with the CLI (sample → ingest → train). Small, so it trains in seconds.
sample_registry() {
    local folder=$1
    mkdir -p "$folder"
    {
        "$CONCIERGE_BIN" sample --out "$folder/orders.csv" --guests 600 --seed 3 &&
        "$CONCIERGE_BIN" ingest "$folder/orders.csv" --store "$folder/store.sqlite" &&
        "$CONCIERGE_BIN" train --store "$folder/store.sqlite" --registry "$folder/models" --no-tune \
            --factors 8 --iterations 5 --promote-if-better
    } >"$folder/sample.log" 2>&1 || { cat "$folder/sample.log"; fail_now "could not make a sample registry"; }
}
