#!/usr/bin/env bash
# Load benchmark of a route that returns a constant small JSON body: Concierge's own HTTP server
# (GET /live) against two peers serving the same kind of answer at GET /health, a stock
# Hummingbird 2 server (HummingbirdPeer/) and nginx (nginx-peer.conf). Concierge's own /health
# builds its answer per request (model, version, load time, uptime), so it would compare the
# servers on different work.
#
# Usage:
#   Benchmarks/http/load.sh [--duration 15] [--connections 64] [--threads 1]
#                           [--runs 3] [--concierge-bin PATH]
#                           [--servers concierge,hummingbird,nginx]
#   Benchmarks/http/load.sh --soak 60 [--concierge-bin PATH]
#
# --servers skips a peer; a server whose binary is missing is skipped with a
# message. --soak SECONDS instead runs the first of --servers (Concierge by
# default) alone under 256 connections (or --connections) and prints its RSS
# every 5 s, to show whether memory stays flat under sustained load.
#
# Environment:
#   CONCIERGE_ARGS  replaces Concierge's arguments; @PORT@ becomes the port.
#                   Default: serve --host 127.0.0.1 --port @PORT@ --queues 1 --no-access-log
#                            --registry REPO/models (make sample-model fills it)
#   SERVER_CPU / LOAD_CPU  cores for the server and for wrk (default 1 and 0).
#   RESULTS_DIR     where raw numbers go (default Benchmarks/http/results).
#
# Method. Each server gets one core (taskset) and wrk the other, so the figures
# compare servers at one core each rather than how well each shares a core with
# its load generator. Servers run in interleaved rounds (concierge, hummingbird,
# nginx, concierge, ...) so drift on the machine (thermal, noisy neighbours)
# spreads over all of them instead of landing on whichever ran last; the table
# shows medians. Each run starts a fresh server, warms it up for 2 s, then
# measures. CPU per request is the server's own utime+stime over the measured
# run divided by the requests wrk completed, so it still means something when
# req/s is capped by the load generator. For nginx, CPU and RSS are summed over
# master and worker.
#
# Caveat: SwiftNIO sizes its event-loop group from cgroup CPU limits (cpu.max,
# cpuset), not from the affinity mask that taskset sets, so the pinned
# Hummingbird still starts one event loop per core of the machine (2 here), all
# sharing the one core. The "threads" column of the TSV shows it.
#
# Other work on the machine (builds, fuzzers) skews every figure; the report
# prints the load average at the start so a noisy run can be recognised.
#
# All traffic goes to 127.0.0.1, and every process started here is stopped by
# PID when the script exits.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

DURATION=15
CONNECTIONS=64
CONNECTIONS_GIVEN=false
THREADS=1
RUNS=3
SOAK=0
SERVERS=concierge,hummingbird,nginx
CONCIERGE_BIN=$REPO/.build/release/concierge
CONCIERGE_ARGS=${CONCIERGE_ARGS:-serve --host 127.0.0.1 --port @PORT@ --queues 1 --no-access-log --registry $REPO/models}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
WARMUP=2
READY_TIMEOUT=30
SOAK_CONNECTIONS=256
SOAK_SAMPLE_EVERY=5

HB_PACKAGE=$HERE/HummingbirdPeer
HB_BIN=$HB_PACKAGE/.build/release/hummingbird-peer
NGINX_TEMPLATE=$HERE/nginx-peer.conf

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

die() {
    echo "load.sh: $*" >&2
    exit 1
}

note() {
    echo "load.sh: $*" >&2
}

positive_int() {
    [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive integer, got '$2'"
}

while (($#)); do
    case $1 in
        --duration) DURATION=${2-}; positive_int "$1" "$DURATION"; shift 2 ;;
        --connections) CONNECTIONS=${2-}; CONNECTIONS_GIVEN=true; positive_int "$1" "$CONNECTIONS"; shift 2 ;;
        --threads) THREADS=${2-}; positive_int "$1" "$THREADS"; shift 2 ;;
        --runs) RUNS=${2-}; positive_int "$1" "$RUNS"; shift 2 ;;
        --soak) SOAK=${2-}; positive_int "$1" "$SOAK"; shift 2 ;;
        --concierge-bin) CONCIERGE_BIN=${2-}; [[ -n $CONCIERGE_BIN ]] || die "--concierge-bin wants a path"; shift 2 ;;
        --servers) SERVERS=${2-}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

IFS=, read -ra REQUESTED <<<"$SERVERS"
for s in "${REQUESTED[@]}"; do
    case $s in
        concierge | hummingbird | nginx) ;;
        *) die "unknown server '$s' in --servers (concierge, hummingbird, nginx)" ;;
    esac
done
((${#REQUESTED[@]})) || die "--servers is empty"

for tool in wrk curl taskset nginx pgrep; do
    command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install wrk curl util-linux nginx-light procps)"
done
for cpu in "$SERVER_CPU" "$LOAD_CPU"; do
    taskset -c "$cpu" true 2>/dev/null || die "cannot pin to CPU $cpu; set SERVER_CPU and LOAD_CPU to two allowed cores"
done

CLK_TCK=$(getconf CLK_TCK)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/concierge-load.XXXXXX")
mkdir -p "$RESULTS_DIR"

# --- process bookkeeping ----------------------------------------------------

STARTED_PIDS=()
SERVER_PID=

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    # Graceful shutdown first, so a slow one does not leave a port bound for the next run.
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
}

# A reaped PID may be reused by an unrelated process: never signal it again.
forget_pid() {
    local -a keep=()
    local p
    for p in "${STARTED_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    STARTED_PIDS=("${keep[@]}")
}

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- /proc readings ------------------------------------------------------------

# The server and its direct children: nginx does its work in a worker process.
proc_tree() {
    echo "$1"
    pgrep -P "$1" || true
}

cpu_ticks() {
    local total=0 pid line
    local -a f
    for pid in $(proc_tree "$1"); do
        line=$(<"/proc/$pid/stat") || continue
        # comm, field 2, may hold spaces; fields are counted after its ')'.
        read -ra f <<<"${line##*) }"
        # f[0] is field 3 (state), so utime (14) and stime (15) are f[11], f[12].
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

rss_kib() {
    local total=0 pid kib
    for pid in $(proc_tree "$1"); do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

thread_count() {
    local total=0 pid
    for pid in $(proc_tree "$1"); do
        total=$((total + $(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

kib_to_mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# --- servers ---------------------------------------------------------------------

# A port below the ephemeral range, so it cannot collide with wrk's own sockets.
free_port() {
    local port low tries
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    for ((tries = 0; tries < 100; tries++)); do
        port=$((10000 + RANDOM % (low - 10000)))
        if [[ -z $(ss -Htan "sport = :$port") ]]; then
            echo "$port"
            return 0
        fi
    done
    die "found no free port"
}

# Tells why a server would be skipped, or nothing if it can run.
missing_reason() {
    case $1 in
        concierge)
            [[ -x $CONCIERGE_BIN ]] ||
                echo "no executable at $CONCIERGE_BIN (build with 'swift build -c release' or pass --concierge-bin)"
            ;;
        hummingbird | nginx) ;;
    esac
}

ensure_hummingbird() {
    [[ -x $HB_BIN ]] && return 0
    note "building the Hummingbird peer (release); the first build takes a few minutes"
    swift build -c release --package-path "$HB_PACKAGE" >&2
    [[ -x $HB_BIN ]] || die "Hummingbird peer did not build: $HB_BIN missing"
}

# Starts $1 on port $2 pinned to SERVER_CPU; sets SERVER_PID and SERVER_LOG.
start_server() {
    local name=$1 port=$2 prefix
    local -a args
    SERVER_LOG=$SCRATCH/$name-$port.log
    case $name in
        concierge)
            read -ra args <<<"${CONCIERGE_ARGS//@PORT@/$port}"
            taskset -c "$SERVER_CPU" "$CONCIERGE_BIN" "${args[@]}" >"$SERVER_LOG" 2>&1 &
            ;;
        hummingbird)
            taskset -c "$SERVER_CPU" "$HB_BIN" "$port" >"$SERVER_LOG" 2>&1 &
            ;;
        nginx)
            prefix=$SCRATCH/nginx-$port
            mkdir -p "$prefix/tmp"
            sed "s/@PORT@/$port/g" "$NGINX_TEMPLATE" >"$prefix/nginx.conf"
            taskset -c "$SERVER_CPU" nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log" \
                >"$SERVER_LOG" 2>&1 &
            ;;
    esac
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
}

# The path each server is loaded on: a constant JSON answer of about 20 bytes.
load_path() {
    if [[ $1 == concierge ]]; then echo /live; else echo /health; fi
}

# Waits for /health to answer, and checks the answer came from our process:
# if the port was taken meanwhile, ours exits and someone else's would reply.
wait_ready() {
    local name=$1 port=$2 deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health" 2>/dev/null; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$SERVER_LOG" >&2 || true
            die "$name exited before answering /health on port $port"
        fi
        ((SECONDS < deadline)) || {
            tail -n 20 "$SERVER_LOG" >&2 || true
            die "$name did not answer /health on port $port within ${READY_TIMEOUT}s"
        }
        sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null || die "$name exited right after answering on port $port"
}

# --- wrk -----------------------------------------------------------------------

# In the background and waited for, because bash runs a signal's trap only once
# a foreground command has finished; `wait` returns at once.
run_wrk() { # connections duration url output
    local pid rc=0
    taskset -c "$LOAD_CPU" wrk --latency -t "$THREADS" -c "$1" -d "${2}s" "$3" >"$4" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    wait "$pid" || rc=$?
    forget_pid "$pid"
    return "$rc"
}

# Prints: req/s  p50_ms  p99_ms  requests  socket_errors  non2xx
parse_wrk() {
    awk '
        function ms(v,   n) {
            n = v + 0
            if (v ~ /us$/) return n / 1000
            if (v ~ /ms$/) return n
            if (v ~ /m$/)  return n * 60000
            if (v ~ /h$/)  return n * 3600000
            if (v ~ /s$/)  return n * 1000
            return n
        }
        $1 == "50%"             { p50 = ms($2) }
        $1 == "99%"             { p99 = ms($2) }
        /requests in/           { requests = $1 }
        /^Requests\/sec:/       { rps = $2 }
        /^ *Socket errors:/     { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx/        { non2xx = $NF }
        END {
            if (rps == "" || requests == "") exit 1
            printf "%.2f\t%.3f\t%.3f\t%d\t%d\t%d\n", rps, p50, p99, requests, errors + 0, non2xx + 0
        }' "$1"
}

# --- machine info -------------------------------------------------------------

machine_info() {
    local model
    model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- host: nproc $(nproc), ${model:-unknown CPU}, kernel $(uname -r)"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ -r /sys/fs/cgroup/cpu.max ]]; then
        echo "- cgroup cpu.max: $(</sys/fs/cgroup/cpu.max)"
    fi
    echo "- pinning: servers on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
    echo "- tools: $(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}'), $(nginx -v 2>&1 | sed 's/^nginx version: //')"
}

# --- soak mode -------------------------------------------------------------------

soak_sample() { # seconds phase tsv
    local kib threads
    kib=$(rss_kib "$SERVER_PID")
    threads=$(thread_count "$SERVER_PID")
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$kib" "$threads" >>"$3"
    printf '| %s | %s | %s | %s |\n' "$1" "$2" "$(kib_to_mib "$kib")" "$threads"
}

soak() {
    local name=${REQUESTED[0]} port conns=$SOAK_CONNECTIONS url out tsv wrk_pid t start reason
    if $CONNECTIONS_GIVEN; then
        conns=$CONNECTIONS
    fi
    reason=$(missing_reason "$name")
    [[ -z $reason ]] || die "cannot soak $name: $reason"
    if [[ $name == hummingbird ]]; then
        ensure_hummingbird
    fi

    port=$(free_port)
    url=http://127.0.0.1:$port$(load_path "$name")
    out=$RESULTS_DIR/soak-$STAMP-$name.wrk.txt
    tsv=$RESULTS_DIR/soak-$STAMP-$name.tsv

    echo "## Soak: $name, $conns connections, ${SOAK}s, RSS every ${SOAK_SAMPLE_EVERY}s"
    echo
    machine_info
    echo

    start_server "$name" "$port"
    wait_ready "$name" "$port"

    printf 'seconds\tphase\trss_kib\tthreads\n' >"$tsv"
    echo "| t (s) | phase | RSS MiB | threads |"
    echo "| ---: | --- | ---: | ---: |"
    soak_sample 0 idle "$tsv"
    # Not through run_wrk: RSS is sampled while this wrk runs.
    taskset -c "$LOAD_CPU" wrk --latency -t "$THREADS" -c "$conns" -d "${SOAK}s" "$url" >"$out" 2>&1 &
    wrk_pid=$!
    STARTED_PIDS+=("$wrk_pid")
    start=$SECONDS
    # Against a fixed schedule, so sampling time does not push later samples back.
    for ((t = SOAK_SAMPLE_EVERY; t < SOAK; t += SOAK_SAMPLE_EVERY)); do
        while ((SECONDS < start + t)); do sleep 0.2; done
        kill -0 "$wrk_pid" 2>/dev/null || break
        kill -0 "$SERVER_PID" 2>/dev/null || die "$name died during the soak"
        soak_sample "$t" load "$tsv"
    done
    wait "$wrk_pid" || die "wrk failed: $(tail -n 5 "$out")"
    forget_pid "$wrk_pid"
    kill -0 "$SERVER_PID" 2>/dev/null || die "$name died during the soak"
    soak_sample "$SOAK" "load ended" "$tsv"
    # With the connections closed, memory still held here is what the load left behind.
    sleep "$SOAK_SAMPLE_EVERY"
    soak_sample "$((SOAK + SOAK_SAMPLE_EVERY))" idle "$tsv"
    stop_pid "$SERVER_PID"

    local rps p50 p99 requests errors non2xx
    IFS=$'\t' read -r rps p50 p99 requests errors non2xx < <(parse_wrk "$out") || die "could not parse $out"
    echo
    echo "wrk: $requests requests, $rps req/s, p50 $p50 ms, p99 $p99 ms, socket errors $errors, non-2xx $non2xx"
    echo "raw: $tsv, $out"
}

# --- comparison mode ------------------------------------------------------------

median() { # column, from stdin of numbers
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print ""; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Median of TSV column $2 over the rows of server $1.
server_median() {
    awk -F'\t' -v s="$1" -v c="$2" 'NR > 1 && $2 == s { print $c }' "$TSV" | median
}

compare() {
    local -a servers=()
    local s reason round port url out rps p50 p99 requests errors non2xx
    local ticks0 ticks1 rss0 rss1 threads cpu_us

    for s in "${REQUESTED[@]}"; do
        reason=$(missing_reason "$s")
        if [[ -n $reason ]]; then
            note "skipping $s: $reason"
        else
            servers+=("$s")
        fi
    done
    ((${#servers[@]})) || die "no server left to measure"
    if [[ " ${servers[*]} " == *" hummingbird "* ]]; then
        ensure_hummingbird
    fi

    TSV=$RESULTS_DIR/http-$STAMP.tsv
    local raw=$RESULTS_DIR/http-$STAMP
    mkdir -p "$raw"
    printf 'round\tserver\treq_per_s\tp50_ms\tp99_ms\trequests\tsocket_errors\tnon_2xx\tcpu_us_per_req\trss_before_kib\trss_after_kib\tthreads\n' >"$TSV"

    echo "## GET of a constant JSON body (Concierge /live, peers /health): ${servers[*]}"
    echo
    machine_info
    echo "- load: wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s after ${WARMUP}s warm-up, $RUNS interleaved rounds"
    echo

    for ((round = 1; round <= RUNS; round++)); do
        for s in "${servers[@]}"; do
            port=$(free_port)
            url=http://127.0.0.1:$port$(load_path "$s")
            out=$raw/$s-$round.txt
            start_server "$s" "$port"
            wait_ready "$s" "$port"

            run_wrk "$CONNECTIONS" "$WARMUP" "$url" /dev/null || die "warm-up of $s failed"
            rss0=$(rss_kib "$SERVER_PID")
            ticks0=$(cpu_ticks "$SERVER_PID")
            run_wrk "$CONNECTIONS" "$DURATION" "$url" "$out" || die "wrk against $s failed: $(tail -n 5 "$out")"
            ticks1=$(cpu_ticks "$SERVER_PID")
            rss1=$(rss_kib "$SERVER_PID")
            threads=$(thread_count "$SERVER_PID")
            kill -0 "$SERVER_PID" 2>/dev/null || die "$s died during the run"
            stop_pid "$SERVER_PID"

            IFS=$'\t' read -r rps p50 p99 requests errors non2xx < <(parse_wrk "$out") ||
                die "could not parse wrk output $out"
            cpu_us=$(awk -v d=$((ticks1 - ticks0)) -v hz="$CLK_TCK" -v n="$requests" \
                'BEGIN { printf "%.3f", (n > 0 ? d * 1e6 / hz / n : 0) }')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
                "$round" "$s" "$rps" "$p50" "$p99" "$requests" "$errors" "$non2xx" \
                "$cpu_us" "$rss0" "$rss1" "$threads" >>"$TSV"
            note "round $round/$RUNS $s: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu_us µs CPU/req"
            if ((errors + non2xx > 0)); then
                note "WARNING: $s had $errors socket errors and $non2xx non-2xx responses; its figures are suspect"
            fi
        done
    done

    echo "Medians of $RUNS run(s):"
    echo
    echo "| server | req/s | p50 ms | p99 ms | CPU µs/req | RSS MiB before | RSS MiB after | threads |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for s in "${servers[@]}"; do
        printf '| %s | %.0f | %.3f | %.3f | %.2f | %s | %s | %s |\n' "$s" \
            "$(server_median "$s" 3)" "$(server_median "$s" 4)" "$(server_median "$s" 5)" \
            "$(server_median "$s" 9)" \
            "$(kib_to_mib "$(server_median "$s" 10)")" "$(kib_to_mib "$(server_median "$s" 11)")" \
            "$(server_median "$s" 12)"
    done
    echo
    local peer base other
    base=$(server_median concierge 3)
    for peer in hummingbird nginx; do
        other=$(server_median "$peer" 3)
        if [[ -n $base && -n $other ]]; then
            awk -v a="$base" -v b="$other" -v p="$peer" \
                'BEGIN { printf "- req/s concierge/%s: %.2f\n", p, a / b }'
        fi
    done
    echo
    echo "raw: $TSV (wrk output in $raw/)"
}

# The report also goes to a file. tee reads through a process substitution, not
# a pipe, so the measuring code runs in this shell and the EXIT trap sees every
# PID it started.
if ((SOAK > 0)); then
    REPORT=$RESULTS_DIR/soak-$STAMP.md
else
    REPORT=$RESULTS_DIR/http-$STAMP.md
fi
exec 3>&1 > >(tee "$REPORT")
TEE_PID=$!
if ((SOAK > 0)); then
    soak
else
    compare
fi
exec >&3 3>&-
wait "$TEE_PID" 2>/dev/null || true
