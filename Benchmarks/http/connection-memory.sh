#!/usr/bin/env bash
# The server's resident memory (RSS) across floods of HTTP/2 connections, and what idle connections cost.
#
# Usage: Benchmarks/http/connection-memory.sh [--rounds 6] [--clients 2000] [--idle 10000] [--concierge-bin PATH]
#
# Method. Concierge serves REPO/models (`make sample-model`) with its default queues, no access log and room
# for 20,000 connections. Then:
#   1. --rounds floods: h2load opens --clients new h2c connections at once, 10 GET /live each, and closes
#      them; RSS is read 2 s after each flood.
#   2. --idle idle connections of each protocol (HTTP/1.1: connected, nothing sent; h2c: the preface sent
#      and the server's SETTINGS received), held by idle_connections.py; RSS is read once they are all open,
#      and 3 s after they are closed.
# RSS is VmRSS from /proc; figures are MiB. Needs h2load and python3; raises its own open-file limit.
#
# All traffic goes to 127.0.0.1; every process started here is stopped by PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ROUNDS=6
CLIENTS=2000
IDLE=10000
CONCIERGE_BIN=$REPO/.build/release/concierge

die() {
    echo "connection-memory.sh: $*" >&2
    exit 1
}

while (($#)); do
    case $1 in
        --rounds) ROUNDS=${2-}; shift 2 ;;
        --clients) CLIENTS=${2-}; shift 2 ;;
        --idle) IDLE=${2-}; shift 2 ;;
        --concierge-bin) CONCIERGE_BIN=${2-}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
for number in "$ROUNDS" "$CLIENTS" "$IDLE"; do
    [[ $number =~ ^[1-9][0-9]*$ ]] || die "counts are positive whole numbers, not '$number'"
done
[[ -x $CONCIERGE_BIN ]] || die "no executable at $CONCIERGE_BIN"
[[ -f $REPO/models/registry.sqlite ]] || die "no models/ registry (make sample-model)"
for tool in h2load python3 curl; do command -v "$tool" >/dev/null || die "$tool is missing"; done
ulimit -n $((IDLE + 4096)) || die "cannot raise the open-file limit to $((IDLE + 4096))"

# shellcheck source=scratch.sh
source "$HERE/scratch.sh"
begin_scratch connection-memory
HOLDER_PID=

stop_holder() {
    [[ -n $HOLDER_PID ]] || return 0
    kill "$HOLDER_PID" 2>/dev/null || true
    wait "$HOLDER_PID" 2>/dev/null || true
    HOLDER_PID=
}
trap 'stop_holder; end_scratch' EXIT

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

PORT=$((20000 + RANDOM % 10000))
"$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" --no-access-log --max-connections 20000 \
    --max-requests-per-connection 1000000 --registry "$REPO/models" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/serve.log" >&2; die "the server exited"; }
    ((SECONDS < deadline)) || die "the server did not answer within 60 s"
    sleep 0.2
done
echo "idle after start-up: $(rss) MiB"

for round in $(seq "$ROUNDS"); do
    h2load -c "$CLIENTS" -n $((CLIENTS * 10)) -m 1 "http://127.0.0.1:$PORT/live" >"$WORK/h2load.txt" 2>&1 ||
        die "h2load failed: $(tail -n 3 "$WORK/h2load.txt")"
    sleep 2
    echo "after flood $round ($CLIENTS h2c connections, $(awk '/^requests:/ { print $8 }' "$WORK/h2load.txt") answered): $(rss) MiB"
done

for protocol in h1 h2; do
    before=$(rss)
    coproc HOLDER { exec python3 "$HERE/idle_connections.py" "$PORT" "$IDLE" "$protocol"; }
    read -r ready count <&"${HOLDER[0]}" || die "idle_connections.py failed"
    [[ $ready == ready ]] || die "idle_connections.py said '$ready $count'"
    sleep 2
    held=$(rss)
    stop_holder
    sleep 3
    echo "$IDLE idle $protocol connections: $before -> $held MiB ($(awk -v a="$before" -v b="$held" -v n="$IDLE" \
        'BEGIN { printf "%.1f", (b - a) * 1024 / n }') KiB each); $(rss) MiB 3 s after closing them"
done
