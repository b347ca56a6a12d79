#!/usr/bin/env bash
# h2load against Concierge: GET /health and GET /recommend over HTTP/2 in cleartext (h2c, prior knowledge)
# and over TLS (ALPN h2), with HTTP/1.1 in cleartext and over TLS beside them for reference.
#
# Usage: Benchmarks/http/h2-load.sh [--duration 10] [--clients 4] [--streams 64] [--h1-connections 64]
#                                   [--concierge-bin PATH]
#
# Method. Concierge serves REPO/models (`make sample-model`) on CPU 1 (taskset, --queues 1, no access log);
# h2load runs on CPU 0 with one thread. HTTP/2 cases use --clients connections with --streams concurrent
# streams each; HTTP/1.1 cases use --h1-connections keep-alive connections, one request at a time each (like
# load.sh's wrk). Every case warms up for 2 s, then measures for --duration seconds; p50/p99 come from
# h2load's per-request log, CPU per request from the server's utime+stime over the measured run. The TLS
# cases use a CA and certificate this script makes with openssl in a temporary folder. /recommend walks 1,000
# known guests of the production version. The machine's load average is printed: other work on it skews
# every figure.
#
# The server's --max-requests-per-connection is raised out of the way: at its default (10,000) an HTTP/2
# connection ends with GOAWAY within a second, and h2load does not reconnect during a timed run, so it would
# end up measuring its own idle clients.
#
# All traffic goes to 127.0.0.1; every process started here is stopped by PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DURATION=10
CLIENTS=4
STREAMS=64
H1_CONNECTIONS=64
CONCIERGE_BIN=$REPO/.build/release/concierge
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
WARMUP=2

die() {
    echo "h2-load.sh: $*" >&2
    exit 1
}

positive_int() {
    [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive integer, got '$2'"
}

while (($#)); do
    case $1 in
        --duration) DURATION=${2-}; positive_int "$1" "$DURATION"; shift 2 ;;
        --clients) CLIENTS=${2-}; positive_int "$1" "$CLIENTS"; shift 2 ;;
        --streams) STREAMS=${2-}; positive_int "$1" "$STREAMS"; shift 2 ;;
        --h1-connections) H1_CONNECTIONS=${2-}; positive_int "$1" "$H1_CONNECTIONS"; shift 2 ;;
        --concierge-bin) CONCIERGE_BIN=${2-}; [[ -n $CONCIERGE_BIN ]] || die "--concierge-bin wants a path"; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

for tool in h2load curl openssl taskset; do
    command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[[ -x $CONCIERGE_BIN ]] || die "no executable at $CONCIERGE_BIN (make release, or pass --concierge-bin)"
[[ -f $REPO/models/registry.sqlite ]] || die "no models/ registry (make sample-model)"
for cpu in "$SERVER_CPU" "$LOAD_CPU"; do
    taskset -c "$cpu" true 2>/dev/null || die "cannot pin to CPU $cpu; set SERVER_CPU and LOAD_CPU to two allowed cores"
done

# shellcheck source=scratch.sh
source "$HERE/scratch.sh"
begin_scratch h2-load

make_certificate() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj "/CN=h2-load CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$WORK/server.key" -out "$WORK/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    echo "subjectAltName=IP:127.0.0.1" >"$WORK/server.ext"
    openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
        -extfile "$WORK/server.ext" -out "$WORK/server.pem" 2>/dev/null
}

# Starts Concierge with extra arguments; sets SERVER_PID and BASE (the URL prefix).
start_server() { # scheme [serve arguments...]
    local scheme=$1 port deadline
    shift
    port=$((20000 + RANDOM % 10000))
    taskset -c "$SERVER_CPU" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$port" --queues 1 --no-access-log \
        --max-requests-per-connection 1000000000 --registry "$REPO/models" "$@" >"$WORK/serve-$port.log" 2>&1 &
    SERVER_PID=$!
    BASE=$scheme://127.0.0.1:$port
    deadline=$((SECONDS + 30))
    until curl -fsS --cacert "$WORK/ca.pem" -o /dev/null "$BASE/health" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve-$port.log" >&2; die "Concierge exited on port $port"; }
        ((SECONDS < deadline)) || die "Concierge did not become ready on port $port"
        sleep 0.1
    done
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

cpu_ticks() {
    local -a fields
    read -ra fields <<<"$(sed 's/.*) //' "/proc/$SERVER_PID/stat")"
    # After the command name, field 3 (state) comes first: utime and stime are fields 14 and 15.
    echo $((fields[11] + fields[12]))
}

CASES=0

# One case: h2load on the URL list made from $WORK/paths-<path>.txt, one table row.
run_case() { # label path [h2load arguments...]
    local label=$1 path=$2 ticks_before ticks_after failed
    shift 2
    CASES=$((CASES + 1))
    # h2load appends to an existing log file, so every case gets files of its own.
    local urls=$WORK/urls-$CASES.txt log=$WORK/case-$CASES.log out=$WORK/case-$CASES.txt
    sed "s|@BASE@|$BASE|" "$WORK/paths-$path.txt" >"$urls"
    taskset -c "$LOAD_CPU" h2load -t 1 -D "$WARMUP" -i "$urls" "$@" >/dev/null
    ticks_before=$(cpu_ticks)
    taskset -c "$LOAD_CPU" h2load -t 1 -D "$DURATION" -i "$urls" --log-file "$log" "$@" >"$out" ||
        die "h2load failed for $label $path: $(tail -n 5 "$out")"
    ticks_after=$(cpu_ticks)
    failed=$(awk '/^requests:/ { print $10 + $12 }' "$out")
    # The log's second column is the status, the third the response time in microseconds.
    sort -n -k3,3 "$log" | awk -v label="$label" -v path="/$path" -v seconds="$DURATION" -v failed="$failed" \
        -v protocol="$(awk -F': ' '/^Application protocol/ { print $2 }' "$out")" \
        -v cpu="$(((ticks_after - ticks_before) * 1000000 / $(getconf CLK_TCK)))" -v args="$*" '
        { times[NR] = $3; if ($2 < 200 || $2 > 299) bad++ }
        END {
            printf "| %s (%s) | %s | %s | %.0f | %.3f | %.3f | %.1f | %d |\n", label, protocol, path, args,
                NR / seconds, times[int(NR * 0.50)] / 1000, times[int(NR * 0.99)] / 1000, cpu / NR, bad + failed
        }'
}

make_certificate
echo "@BASE@/health" >"$WORK/paths-health.txt"

H2=(-c "$CLIENTS" -m "$STREAMS")
H1=(--h1 -c "$H1_CONNECTIONS" -m 1)

echo "## h2load: /health and /recommend over h2c, h2 (TLS) and HTTP/1.1"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- host: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "- Concierge on CPU $SERVER_CPU (--queues 1), h2load -t 1 on CPU $LOAD_CPU; ${WARMUP} s warm-up, ${DURATION} s measured"
echo "- $(h2load --version | head -n 1), $(openssl version)"
echo
echo "| case | path | h2load | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx or failed |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"

start_server http
# Guests of the production version: the model knows them, so every request runs the version's scorer.
VERSION=$(curl -fsS "$BASE/health" | sed 's/.*"version":\([0-9]*\).*/\1/')
head -n 1000 "$REPO/models/roomservice/$VERSION/user_ids.txt" | sed 's|^|@BASE@/recommend?k=10\&user=|' \
    >"$WORK/paths-recommend.txt"
for path in health recommend; do
    run_case cleartext "$path" "${H2[@]}"
    run_case cleartext "$path" "${H1[@]}"
done
stop_server

start_server https --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key"
for path in health recommend; do
    run_case TLS "$path" "${H2[@]}"
    run_case TLS "$path" "${H1[@]}"
done
stop_server
