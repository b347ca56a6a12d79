#!/usr/bin/env bash
# Load benchmark of GET /recommend on the sample model: the highest throughput one core gives, then the
# latency at half of it.
#
# Usage: Benchmarks/http/recommend-load.sh [--duration 15] [--connections 64] [--concierge-bin PATH] [--api-keys]
#   --api-keys  serve with --api-keys (a key made here with `concierge keys new`), and send it with every
#               request, as a CRM does when the server asks for keys.
#
# 1. Concierge serves REPO/models (`make sample-model`) on CPU 1 (`taskset`), one queue, no access log.
# 2. Maximum: wrk on CPU 0, keep-alive, a Lua script walking a list of known guests' /recommend URLs.
# 3. Half of that maximum: h2load --h1 with a fixed request rate (--rps per connection, about 500 each) on the same URLs,
#    every response time logged (--log-file); p50/p99 are taken from that log, because a closed-loop tool
#    like wrk at full speed measures its own queueing, not the server's latency at a given load.
# All traffic goes to 127.0.0.1; every process started here is stopped by PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DURATION=15
CONNECTIONS=64
CONCIERGE_BIN=$REPO/.build/release/concierge
API_KEYS=0
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --concierge-bin) CONCIERGE_BIN=$2; shift 2 ;;
        --api-keys) API_KEYS=1; shift ;;
        *) echo "recommend-load.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

for tool in wrk h2load taskset curl; do
    command -v "$tool" >/dev/null || { echo "recommend-load.sh: $tool is missing (make deps)" >&2; exit 1; }
done
[ -x "$CONCIERGE_BIN" ] || { echo "recommend-load.sh: no $CONCIERGE_BIN (make release)" >&2; exit 1; }
[ -f "$REPO/models/registry.sqlite" ] || { echo "recommend-load.sh: no models/ registry (make sample-model)" >&2; exit 1; }

# shellcheck source=scratch.sh
source "$HERE/scratch.sh"
begin_scratch recommend-load

SERVE_ACCESS=()
CURL_HEADERS=()
LUA_HEADERS="nil"
if [ "$API_KEYS" = 1 ]; then
    "$CONCIERGE_BIN" keys new --scopes recommend,metrics --name load --token-file "$WORK/token" >"$WORK/keys"
    SERVE_ACCESS=(--api-keys "$WORK/keys")
    CURL_HEADERS=(-H "Authorization: Bearer $(cat "$WORK/token")")
    LUA_HEADERS="{ Authorization = \"Bearer $(cat "$WORK/token")\" }"
fi
PORT=$(( 20000 + RANDOM % 10000 ))
taskset -c "$SERVER_CPU" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" --queues 1 --no-access-log \
    --registry "$REPO/models" "${SERVE_ACCESS[@]}" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$WORK/serve.log"; exit 1; }

# Guests of the production version: the model knows them, so every request runs the version's scorer.
VERSION=$(curl -fsS "http://127.0.0.1:$PORT/health" | sed 's/.*"version":\([0-9]*\).*/\1/')
head -n 1000 "$REPO/models/roomservice/$VERSION/user_ids.txt" \
    | sed "s|^|http://127.0.0.1:$PORT/recommend?k=10\&user=|" >"$WORK/urls.txt"
URLS=$(wc -l <"$WORK/urls.txt")
cat >"$WORK/walk.lua" <<LUA
local paths = {}
for line in io.lines("$WORK/urls.txt") do paths[#paths + 1] = line:gsub("^http://[^/]+", "") end
local next_path = 0
request = function()
    next_path = next_path % #paths + 1
    return wrk.format("GET", paths[next_path], $LUA_HEADERS)
end
LUA

echo "## GET /recommend on the sample model"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- host: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "- server on CPU $SERVER_CPU (--queues 1), load generators on CPU $LOAD_CPU; $URLS distinct guests"
[ "$API_KEYS" = 0 ] || echo "- with --api-keys: every request presents an API key"
echo

taskset -c "$LOAD_CPU" wrk -t1 -c "$CONNECTIONS" -d 2s -s "$WORK/walk.lua" "http://127.0.0.1:$PORT/" >/dev/null
taskset -c "$LOAD_CPU" wrk --latency -t1 -c "$CONNECTIONS" -d "${DURATION}s" -s "$WORK/walk.lua" \
    "http://127.0.0.1:$PORT/" >"$WORK/max.txt"
MAX=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/max.txt")
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$WORK/max.txt")
echo "maximum: $MAX req/s with $CONNECTIONS connections (wrk), non-2xx: ${NON2XX:-0}"
awk '/Latency Distribution/,/99%/' "$WORK/max.txt"

# h2load paces each connection on its own timer and falls short of a high rate asked of few connections (16
# connections asked for 35,000 req/s gave 10,700), so the connections grow with the rate: about 500 req/s each.
HALF_CONNECTIONS=$(( MAX / 2 / 500 ))
(( HALF_CONNECTIONS >= 16 )) || HALF_CONNECTIONS=16
RATE=$(( MAX / 2 / HALF_CONNECTIONS ))
curl -fsS "${CURL_HEADERS[@]}" "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics-before.txt"
taskset -c "$LOAD_CPU" h2load --h1 "${CURL_HEADERS[@]}" -c "$HALF_CONNECTIONS" -t 1 --rps "$RATE" -D "$DURATION" -i "$WORK/urls.txt" \
    --log-file "$WORK/half.log" >"$WORK/half.txt"
# The log's third column is each response time in microseconds.
sort -n -k3,3 "$WORK/half.log" | awk -v target=$(( MAX / 2 )) -v connections="$HALF_CONNECTIONS" -v seconds="$DURATION" '
    { times[NR] = $3; if ($2 != 200) bad++ }
    END {
        printf "half load: %d req/s asked (%d connections), %d req/s served, %d requests, %d not 200\n",
            target, connections, NR / seconds, NR, bad
        printf "  p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
            times[int(NR * 0.50)] / 1000, times[int(NR * 0.90)] / 1000, times[int(NR * 0.99)] / 1000, times[NR] / 1000
    }'
grep -E "^requests:|^finished in" "$WORK/half.txt" | sed 's/^/  h2load: /'

# The server's own view of the same run: its /recommend latency histogram (complete request head to
# response queued), as the difference of two scrapes, so the client's and the kernel's share is apparent.
curl -fsS "${CURL_HEADERS[@]}" "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics-after.txt"
bucket_counts() {
    sed -n 's/^concierge_http_request_duration_seconds_bucket{route="\/recommend",method="GET",status="2xx",le="\([^"]*\)"} \([0-9]*\)$/\1 \2/p' "$1"
}
join <(bucket_counts "$WORK/metrics-before.txt") <(bucket_counts "$WORK/metrics-after.txt") | awk '
    { bound[NR] = $1; count[NR] = $3 - $2 }
    END {
        total = count[NR]
        line = "  server-side, share of requests within:"
        for (i = 1; i < NR; i++) if (bound[i] <= 0.001) line = line sprintf(" %g ms %.4f;", bound[i] * 1000, count[i] / total)
        print line
    }'
