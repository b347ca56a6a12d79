#!/usr/bin/env bash
# User-space instructions per keep-alive GET /health (or another path), counted by valgrind's callgrind, for one or more
# `concierge` binaries: a figure that, unlike req/s on a shared and noisy machine, moves only when the code
# does. Used to check that a change leaves HTTP/1.1's hot path as it was.
#
# Usage: Benchmarks/http/instructions-per-request.sh [--protocol h1|h2c] [--path PATH] [--registry DIR]
#            [--serve-arg ARG]... [--credentials-file FILE] BINARY [BINARY...]
#   --path              what to GET, any route with its query (default /health; quote it:
#                       '/recommend?user=303163&k=10'); readiness is still checked on /health.
#   --registry          the registry served (default REPO/models), e.g. one whose production is an EASE version.
#   --serve-arg         one more argument for `serve`, such as --rate-limit=1000000000/s (repeatable).
#   --credentials-file  an API key to send as Authorization: Bearer, for a server given --api-keys=FILE.
#
# Method. Each binary is copied without its debug sections (valgrind 3.19 cannot read Swift 6.3's), served
# from REPO/models (`make sample-model`) with one queue under callgrind, and loaded by h2load with 2,000 and
# then 22,000 requests (8 HTTP/1.1 connections one request at a time, or 2 h2c connections of 32 streams);
# the difference of the two totals over 20,000 leaves out start-up and model loading. The request cap per
# connection is raised, as h2load does not reconnect after an HTTP/2 GOAWAY. Callgrind runs the
# server about fifty times slower, so a run takes a minute or two. valgrind is not in the Makefile's packages
# (nothing in `make test` needs it): apt-get install valgrind.
#
# All traffic goes to 127.0.0.1; every process started here is stopped by PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PROTOCOL=h1
TARGET_PATH=/health
REGISTRY=$REPO/models
SERVE_ARGS=()
LOAD_HEADERS=()

die() {
    echo "instructions-per-request.sh: $*" >&2
    exit 1
}

while [[ ${1-} == --* ]]; do
    case $1 in
        --protocol) PROTOCOL=${2-}; shift 2 ;;
        --path) TARGET_PATH=${2-}; shift 2 ;;
        --registry) REGISTRY=${2-}; shift 2 ;;
        --serve-arg) SERVE_ARGS+=("${2-}"); shift 2 ;;
        --credentials-file) LOAD_HEADERS=(-H "Authorization: Bearer $(cat "${2-}")"); shift 2 ;;
        --help) break ;;
        *) die "unknown option $1" ;;
    esac
done
case ${1-} in
    -h | --help | "") sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
[[ $TARGET_PATH == /* ]] || die "--path starts with /, not '$TARGET_PATH'"
[[ $PROTOCOL == h1 || $PROTOCOL == h2c ]] || die "--protocol is h1 or h2c, not '$PROTOCOL'"
(($#)) || die "name at least one concierge binary"
for tool in valgrind h2load curl strip; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install valgrind nghttp2-client curl binutils)"
done
[[ -f $REGISTRY/registry.sqlite ]] || die "no registry at $REGISTRY (make sample-model)"

# shellcheck source=scratch.sh
source "$HERE/scratch.sh"
begin_scratch instructions

# Prints the instructions callgrind counted for a server that answered $2 requests.
total_instructions() { # binary requests
    local binary=$1 requests=$2 port deadline profile=$WORK/callgrind.out
    port=$((20000 + RANDOM % 10000))
    valgrind --tool=callgrind --callgrind-out-file="$profile" "$binary" serve --host 127.0.0.1 --port "$port" \
        --queues 1 --no-access-log --max-requests-per-connection 1000000000 --registry "$REGISTRY" \
        "${SERVE_ARGS[@]}" >"$WORK/serve.log" 2>&1 &
    SERVER_PID=$!
    deadline=$((SECONDS + 120))
    until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/serve.log" >&2; die "the server exited on port $port"; }
        ((SECONDS < deadline)) || die "the server did not answer on port $port within 120 s"
        sleep 0.5
    done
    if [[ $PROTOCOL == h1 ]]; then
        h2load --h1 -n "$requests" -c 8 -m 1 "${LOAD_HEADERS[@]}" "http://127.0.0.1:$port$TARGET_PATH" >"$WORK/h2load.txt"
    else
        h2load -n "$requests" -c 2 -m 32 "${LOAD_HEADERS[@]}" "http://127.0.0.1:$port$TARGET_PATH" >"$WORK/h2load.txt"
    fi
    grep -q "$requests succeeded" "$WORK/h2load.txt" || die "not every request succeeded: $(grep requests: "$WORK/h2load.txt")"
    grep -q "status codes: $requests 2xx" "$WORK/h2load.txt" || die "not every answer was 2xx: $(grep 'status codes:' "$WORK/h2load.txt")"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
    awk '/^summary:/ { print $2 }' "$profile"
}

for binary in "$@"; do
    [[ -x $binary ]] || die "no executable at $binary"
    strip --strip-debug -o "$WORK/concierge" "$binary"
    few=$(total_instructions "$WORK/concierge" 2000)
    many=$(total_instructions "$WORK/concierge" 22000)
    echo "$binary ($PROTOCOL, GET $TARGET_PATH${SERVE_ARGS[*]:+, serve ${SERVE_ARGS[*]}}): $(((many - few) / 20000)) instructions per request"
done
