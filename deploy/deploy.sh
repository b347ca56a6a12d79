#!/usr/bin/env bash
# Blue-green deploys of Concierge behind nginx.
#
# Two colour slots, blue and green, each a `concierge serve` on its own loopback port. nginx sends all
# traffic to the one named in its upstream file (the active colour). A deploy starts the idle colour on
# the new version (or build), proves it ready and answering, rewrites the upstream file, reloads nginx,
# confirms through nginx that the new colour answers, watches the new colour's error ratio and p99,
# and stops the old colour after a grace period. Any failure undoes what was done: the old colour is
# serving when this script exits, whatever happened.
#
# Usage:
#   deploy.sh up VERSION_OR_ALIAS   deploy a registry version (a number, or an alias such as production)
#   deploy.sh rollback              serve the other colour again, on the version it last served; while a
#                                   deploy runs, asks that deploy to roll itself back instead
#   deploy.sh status                the active colour, each colour's version and health, the last deploy;
#                                   exits 1 unless the active colour is ready and nginx answers from it
#   deploy.sh stop [--force] COLOUR stop a colour; refuses the active one unless --force (an outage)
#   deploy.sh init VERSION_OR_ALIAS first start on a host where nothing serves yet: blue, then the upstream
#   deploy.sh help
#
# Settings: CONCIERGE_DEPLOY_* variables, with their production defaults below and in docs/deploy.md
# ("Settings"); `concierge deploy-check` does the golden requests and the watch's judging. Serve's own
# CONCIERGE_* variables reach the instances unchanged with the process launcher (CONCIERGE_ACCESS_LOG=false,
# CONCIERGE_QUEUES=...); with systemd, put them in /etc/concierge/concierge.env.
#
# Needs bash 5, curl, jq, flock (util-linux) and nginx. Every step prints what it does and how long it
# took; every deploy, rollback and stop appends one line to $CONCIERGE_DEPLOY_STATE_DIR/deploy.log.
set -euo pipefail

BIN=${CONCIERGE_DEPLOY_BIN:-/usr/local/bin/concierge}
REGISTRY=${CONCIERGE_DEPLOY_REGISTRY:-/var/lib/concierge/models}
MODEL=${CONCIERGE_DEPLOY_MODEL:-roomservice}
BLUE_PORT=${CONCIERGE_DEPLOY_BLUE_PORT:-8081}
GREEN_PORT=${CONCIERGE_DEPLOY_GREEN_PORT:-8082}
INSTANCE_HOST=${CONCIERGE_DEPLOY_INSTANCE_HOST:-127.0.0.1}
STATE_DIR=${CONCIERGE_DEPLOY_STATE_DIR:-/var/lib/concierge}
LAUNCHER=${CONCIERGE_DEPLOY_LAUNCHER:-systemd}
SYSTEMD_UNIT=${CONCIERGE_DEPLOY_SYSTEMD_UNIT:-concierge}
NGINX_CONF=${CONCIERGE_DEPLOY_NGINX_CONF:-/etc/nginx/nginx.conf}
NGINX_PREFIX=${CONCIERGE_DEPLOY_NGINX_PREFIX:-}
UPSTREAM_FILE=${CONCIERGE_DEPLOY_NGINX_UPSTREAM:-/etc/nginx/concierge/upstream.conf}
PUBLIC_URL=${CONCIERGE_DEPLOY_PUBLIC_URL:-http://127.0.0.1}
PUBLIC_URL=${PUBLIC_URL%/}
GOLDEN_REQUESTS=${CONCIERGE_DEPLOY_GOLDEN_REQUESTS:-}
GOLDEN_MIN_OVERLAP=${CONCIERGE_DEPLOY_GOLDEN_MIN_OVERLAP:-0}
READY_TIMEOUT=${CONCIERGE_DEPLOY_READY_TIMEOUT:-120}
FLIP_TIMEOUT=${CONCIERGE_DEPLOY_FLIP_TIMEOUT:-15}
GRACE_SECONDS=${CONCIERGE_DEPLOY_GRACE_SECONDS:-120}
ANALYSIS_SECONDS=${CONCIERGE_DEPLOY_ANALYSIS_SECONDS:-300}
ANALYSIS_INTERVAL=${CONCIERGE_DEPLOY_ANALYSIS_INTERVAL:-5}
ANALYSIS_MIN_REQUESTS=${CONCIERGE_DEPLOY_ANALYSIS_MIN_REQUESTS:-100}
MAX_5XX_RATIO=${CONCIERGE_DEPLOY_MAX_5XX_RATIO:-0.01}
MAX_P99_SECONDS=${CONCIERGE_DEPLOY_MAX_P99_SECONDS:-0.25}
DRAIN_TIMEOUT=${CONCIERGE_DEPLOY_DRAIN_TIMEOUT:-25}
LOCK_TIMEOUT=${CONCIERGE_DEPLOY_LOCK_TIMEOUT:-0}
UPSTREAM_KEEPALIVE=${CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE:-32}
UPSTREAM_KEEPALIVE_TIMEOUT=${CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE_TIMEOUT:-60s}
UPSTREAM_KEEPALIVE_REQUESTS=${CONCIERGE_DEPLOY_UPSTREAM_KEEPALIVE_REQUESTS:-1000}
read -r -a NGINX_COMMAND <<<"${CONCIERGE_DEPLOY_NGINX:-nginx}"
read -r -a SYSTEMCTL_COMMAND <<<"${CONCIERGE_DEPLOY_SYSTEMCTL:-systemctl}"

DEPLOY_LOG=$STATE_DIR/deploy.log
LOCK_FILE=$STATE_DIR/deploy.lock
LOCK_OWNER_FILE=$STATE_DIR/deploy.owner
ACTION=""
ACTION_LINE=""
LOCK_FD=""
LOCK_HELD=0
SCRATCH=""

# ---------------------------------------------------------------------------------------------------
# Output, time, small checks

say() { printf '[deploy %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { say "WARNING: $*" >&2; }
die() { say "ERROR: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^# Needs bash/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

now_us() { echo "${EPOCHREALTIME/./}"; }

# seconds_between START_US END_US: the interval in seconds with two decimals.
seconds_between() {
    local us=$(($2 - $1))
    printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

# microseconds SECONDS: "2", "0.5" or "1.25" as an integer count of microseconds.
microseconds() {
    local whole=${1%%.*} fraction=000000
    [[ $1 == *.* ]] && fraction="${1#*.}000000"
    echo $((10#${whole:-0} * 1000000 + 10#${fraction:0:6}))
}

is_count() { [[ $1 =~ ^[0-9]+$ ]]; }
is_seconds() { [[ $1 =~ ^([0-9]+|[0-9]*\.[0-9]+)$ ]]; }
is_share() { [[ $1 =~ ^(0|1|0?\.[0-9]+|1\.0*)$ ]]; }

# A value written into an instance's env file, which both systemd and bash read: no quoting needed.
is_plain() { [[ $1 =~ ^[A-Za-z0-9_./:@+,=-]+$ ]]; }

validate_settings() {
    local name
    for name in BLUE_PORT GREEN_PORT UPSTREAM_KEEPALIVE UPSTREAM_KEEPALIVE_REQUESTS ANALYSIS_MIN_REQUESTS; do
        is_count "${!name}" || die "CONCIERGE_DEPLOY_$name must be a whole number, not '${!name}'"
    done
    for name in BLUE_PORT GREEN_PORT; do
        ((${!name} >= 1 && ${!name} <= 65535)) || die "CONCIERGE_DEPLOY_$name must be a TCP port (1-65535), not ${!name}"
    done
    [ "$BLUE_PORT" != "$GREEN_PORT" ] || die "CONCIERGE_DEPLOY_BLUE_PORT and CONCIERGE_DEPLOY_GREEN_PORT are both $BLUE_PORT"
    for name in READY_TIMEOUT FLIP_TIMEOUT GRACE_SECONDS ANALYSIS_SECONDS ANALYSIS_INTERVAL DRAIN_TIMEOUT \
        LOCK_TIMEOUT MAX_P99_SECONDS; do
        is_seconds "${!name}" || die "CONCIERGE_DEPLOY_$name must be a number of seconds, not '${!name}'"
    done
    [ "$(microseconds "$ANALYSIS_INTERVAL")" -gt 0 ] || die "CONCIERGE_DEPLOY_ANALYSIS_INTERVAL must be above 0"
    for name in MAX_5XX_RATIO GOLDEN_MIN_OVERLAP; do
        is_share "${!name}" || die "CONCIERGE_DEPLOY_$name must be a share between 0 and 1, not '${!name}'"
    done
    case $LAUNCHER in
        systemd | process) ;;
        *) die "CONCIERGE_DEPLOY_LAUNCHER must be systemd or process, not '$LAUNCHER'" ;;
    esac
    for name in REGISTRY MODEL INSTANCE_HOST STATE_DIR; do
        is_plain "${!name}" || die "CONCIERGE_DEPLOY_$name has characters this script does not pass on safely: '${!name}'"
    done
    [[ $PUBLIC_URL =~ ^https?:// ]] || die "CONCIERGE_DEPLOY_PUBLIC_URL must start with http:// or https://, not '$PUBLIC_URL'"
    local tool
    for tool in curl jq flock "${NGINX_COMMAND[0]}"; do
        command -v "$tool" >/dev/null || die "$tool is not installed (Debian: curl jq util-linux nginx)"
    done
    if [ "$LAUNCHER" = systemd ]; then
        command -v "${SYSTEMCTL_COMMAND[0]}" >/dev/null || die "${SYSTEMCTL_COMMAND[0]} not found (CONCIERGE_DEPLOY_LAUNCHER=systemd)"
    fi
}

require_binary() {
    [ -x "$BIN" ] || die "no executable concierge binary at $BIN (CONCIERGE_DEPLOY_BIN)"
}

# ---------------------------------------------------------------------------------------------------
# Colours

other_colour() { if [ "$1" = blue ]; then echo green; else echo blue; fi; }
colour_port() { if [ "$1" = blue ]; then echo "$BLUE_PORT"; else echo "$GREEN_PORT"; fi; }
colour_url() { echo "http://$INSTANCE_HOST:$(colour_port "$1")"; }
colour_dir() { echo "$STATE_DIR/$1"; }
check_colour() { [[ $1 == blue || $1 == green ]] || die "a colour is blue or green, not '$1'"; }

# recorded_version COLOUR: the version the colour was last started on, from its env file.
recorded_version() {
    local file
    file="$(colour_dir "$1")/env"
    if [ -f "$file" ]; then sed -n 's/^CONCIERGE_VERSION=//p' "$file"; fi
}

# health COLOUR: "STATUS VERSION COLOUR" from the colour's /health, or nothing when it does not answer.
health() {
    curl -sS --connect-timeout 1 --max-time 2 "$(colour_url "$1")/health" 2>/dev/null |
        jq -r '"\(.status) \(.version) \(.color)"' 2>/dev/null || true
}

is_ready_on() {
    local answer
    answer=$(health "$1")
    [ "$answer" = "ready $2 $1" ]
}

port_in_use() {
    (exec 3<>"/dev/tcp/$INSTANCE_HOST/$1") 2>/dev/null
}

# served_by_nginx: "COLOUR MODEL/VERSION" from the headers of nginx's answer to /health.
served_by_nginx() {
    curl -sS --connect-timeout 1 --max-time 2 -o /dev/null -D - "$PUBLIC_URL/health" 2>/dev/null |
        tr -d '\r' | awk -F': ' '
            tolower($1) == "x-concierge-color" { colour = $2 }
            tolower($1) == "x-concierge-model" { model = $2 }
            END { if (colour != "") print colour, model }' || true
}

# ---------------------------------------------------------------------------------------------------
# Launchers: start, stop, alive and why-it-died, for systemd units and for plain processes.

systemctl_run() { "${SYSTEMCTL_COMMAND[@]}" "$@"; }
unit_name() { echo "$SYSTEMD_UNIT@$1.service"; }

# write_instance_settings COLOUR VERSION: the env file and the binary link the colour starts from.
write_instance_settings() {
    local colour=$1 version=$2 dir binary
    dir=$(colour_dir "$colour")
    binary=$(readlink -f "$BIN")
    is_plain "$binary" || die "the binary's path has characters this script does not pass on safely: '$binary'"
    mkdir -p "$dir"
    cat >"$dir/env.new" <<EOF
# Written by deploy.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ): what the $colour colour runs with.
# Read by systemd (EnvironmentFile= in $(unit_name "$colour")) and by the process launcher.
CONCIERGE_COLOR=$colour
CONCIERGE_HOST=$INSTANCE_HOST
CONCIERGE_PORT=$(colour_port "$colour")
CONCIERGE_REGISTRY=$REGISTRY
CONCIERGE_MODEL=$MODEL
CONCIERGE_VERSION=$version
CONCIERGE_DRAIN_TIMEOUT=$DRAIN_TIMEOUT
EOF
    mv -f "$dir/env.new" "$dir/env"
    ln -sfn "$binary" "$dir/concierge"
}

# pid_alive PID: the process exists and is not a zombie waiting for its parent.
pid_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

colour_pid() {
    local file
    file="$(colour_dir "$1")/pid"
    if [ -f "$file" ]; then cat "$file"; fi
}

launch_colour() {
    local colour=$1 dir
    dir=$(colour_dir "$colour")
    if [ "$LAUNCHER" = systemd ]; then
        systemctl_run reset-failed "$(unit_name "$colour")" 2>/dev/null || true
        systemctl_run start "$(unit_name "$colour")"
        return
    fi
    # Its own session, so a Ctrl-C in this terminal does not reach it, and without this script's lock,
    # which it would otherwise hold for as long as it runs.
    echo "=== deploy.sh starts $colour on $MODEL/$(recorded_version "$colour") at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$dir/serve.log"
    (
        exec {LOCK_FD}>&-
        set -a
        # shellcheck source=/dev/null
        . "$dir/env"
        set +a
        exec setsid "$dir/concierge" serve </dev/null >>"$dir/serve.log" 2>&1
    ) &
    echo "$!" >"$dir/pid"
}

colour_running() {
    if [ "$LAUNCHER" = systemd ]; then
        local state
        state=$(systemctl_run show -p ActiveState -p SubState --value "$(unit_name "$1")" 2>/dev/null | tr '\n' ' ')
        [[ $state == "active running " || $state == "activating start " ]]
    else
        local pid
        pid=$(colour_pid "$1")
        [ -n "$pid" ] && pid_alive "$pid"
    fi
}

# why_stopped COLOUR: says how a colour that should run ended, with the last lines of its log. Not in a
# $(...): only this shell can collect the exit status of an instance it started.
why_stopped() {
    local colour=$1
    if [ "$LAUNCHER" = systemd ]; then
        say "  $(unit_name "$colour"): $(systemctl_run show -p ActiveState -p SubState -p ExecMainStatus \
            "$(unit_name "$colour")" 2>/dev/null | paste -sd ' ')"
        journalctl -u "$(unit_name "$colour")" -n 5 --no-pager 2>/dev/null | sed 's/^/    /' || true
    else
        local pid status=0
        pid=$(colour_pid "$colour")
        wait "$pid" 2>/dev/null || status=$?
        [ "$status" != 127 ] || status="unknown (not started by this run)"
        say "  process $pid exited with status $status; its last lines in $(colour_dir "$colour")/serve.log:"
        awk '/^=== deploy.sh starts / { n = 0; next } { line[++n] = $0 }
            END { for (i = n > 5 ? n - 4 : 1; i <= n; i++) print "    " line[i] }' "$(colour_dir "$colour")/serve.log" 2>/dev/null || true
    fi
}

# stop_colour COLOUR: SIGTERM (the instance drains and exits 0), SIGKILL only past the drain timeout.
stop_colour() {
    local colour=$1 started
    started=$(now_us)
    if [ "$LAUNCHER" = systemd ]; then
        if ! systemctl_run stop "$(unit_name "$colour")"; then
            warn "could not stop $(unit_name "$colour")"
            return 1
        fi
        say "stopped $colour ($(unit_name "$colour")) in $(seconds_between "$started" "$(now_us)") s"
        return
    fi
    local pid deadline
    pid=$(colour_pid "$colour")
    if [ -z "$pid" ] || ! pid_alive "$pid"; then
        rm -f "$(colour_dir "$colour")/pid"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((started + $(microseconds "$DRAIN_TIMEOUT") + 5000000))
    while pid_alive "$pid" && [ "$(now_us)" -lt "$deadline" ]; do sleep 0.05; done
    if pid_alive "$pid"; then
        warn "$colour (pid $pid) still running ${DRAIN_TIMEOUT}+5 s after SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        while pid_alive "$pid"; do sleep 0.05; done
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$(colour_dir "$colour")/pid"
    say "stopped $colour (pid $pid) in $(seconds_between "$started" "$(now_us)") s"
}

# Boot brings back the colour nginx sends traffic to, not the other.
enable_at_boot() {
    [ "$LAUNCHER" = systemd ] || return 0
    if ! systemctl_run enable --quiet "$(unit_name "$1")" ||
        ! systemctl_run disable --quiet "$(unit_name "$(other_colour "$1")")"; then
        warn "could not switch which colour systemd starts at boot to $1"
    fi
}

# ---------------------------------------------------------------------------------------------------
# nginx and the upstream file

nginx_run() {
    local arguments=()
    [ -z "$NGINX_PREFIX" ] || arguments+=(-p "$NGINX_PREFIX/" -e "$NGINX_PREFIX/error.log")
    "${NGINX_COMMAND[@]}" "${arguments[@]}" -c "$NGINX_CONF" "$@"
}

# active_colour: the colour whose port the upstream file names; fails when it names neither.
active_colour() {
    [ -f "$UPSTREAM_FILE" ] || return 1
    local port
    port=$(awk '$1 == "server" { sub(/;.*/, "", $2); sub(/.*:/, "", $2); print $2; exit }' "$UPSTREAM_FILE")
    case $port in
        "$BLUE_PORT") echo blue ;;
        "$GREEN_PORT") echo green ;;
        *) return 1 ;;
    esac
}

render_upstream() {
    local colour=$1 version=$2
    cat <<EOF
# The instance nginx sends Concierge's traffic to: the only file a deploy rewrites (deploy/deploy.sh
# writes it whole to a temporary file, renames it into place, runs \`nginx -t\`, then reloads nginx).
# colour=$colour version=$version written=$(date -u +%Y-%m-%dT%H:%M:%SZ)
upstream concierge {
    server $INSTANCE_HOST:$(colour_port "$colour");
    # Idle connections each worker keeps open to the instance, so requests skip the TCP handshake.
    keepalive $UPSTREAM_KEEPALIVE;
    # Shorter than the instance's --idle-timeout (75 s) and fewer than its
    # --max-requests-per-connection (10000): nginx always closes a kept connection first, so it never
    # sends a request on one the instance is closing at that moment.
    keepalive_timeout $UPSTREAM_KEEPALIVE_TIMEOUT;
    keepalive_requests $UPSTREAM_KEEPALIVE_REQUESTS;
}
EOF
}

# replace_upstream FILE_WITH_NEW_CONTENT: atomically, by a rename within the upstream's folder.
replace_upstream() {
    local temporary
    temporary=$(mktemp "$(dirname "$UPSTREAM_FILE")/.upstream.XXXXXX")
    cat "$1" >"$temporary"
    chmod 644 "$temporary"
    mv -f "$temporary" "$UPSTREAM_FILE"
}

# install_upstream FILE: FILE becomes the upstream, `nginx -t` checks it, nginx reloads. When nginx
# rejects it, the upstream file is put back as it was, nginx is not reloaded, and this fails after
# printing nginx's complaint.
install_upstream() {
    local candidate=$1 previous=$SCRATCH/upstream.replaced output
    cp "$UPSTREAM_FILE" "$previous"
    replace_upstream "$candidate"
    if ! output=$(nginx_run -t 2>&1); then
        replace_upstream "$previous"
        say "nginx -t rejected the new upstream; restored the previous $UPSTREAM_FILE. nginx said:"
        printf '%s\n' "$output" | sed 's/^/    /'
        return 1
    fi
    if ! output=$(nginx_run -s reload 2>&1); then
        replace_upstream "$previous"
        say "nginx -s reload failed; restored the previous $UPSTREAM_FILE. nginx said:"
        printf '%s\n' "$output" | sed 's/^/    /'
        nginx_run -s reload >/dev/null 2>&1 || true
        return 1
    fi
}

# point_nginx_at COLOUR VERSION: a new upstream for COLOUR, installed as above.
point_nginx_at() {
    render_upstream "$1" "$2" >"$SCRATCH/upstream.new"
    install_upstream "$SCRATCH/upstream.new"
}

# confirm_nginx_serves COLOUR VERSION: nginx's answers come from COLOUR on VERSION, three in a row
# (each on a new connection, so each reaches a worker of the reloaded configuration).
confirm_nginx_serves() {
    local expected="$1 $MODEL/$2" in_a_row=0 seen deadline
    deadline=$(($(now_us) + $(microseconds "$FLIP_TIMEOUT")))
    while [ "$in_a_row" -lt 3 ]; do
        seen=$(served_by_nginx)
        if [ "$seen" = "$expected" ]; then in_a_row=$((in_a_row + 1)); else in_a_row=0; fi
        if [ "$in_a_row" = 0 ] && ! colour_running "$1"; then
            say "$1 stopped while nginx was being pointed at it:"
            why_stopped "$1"
            return 1
        fi
        if [ "$(now_us)" -ge "$deadline" ]; then
            say "nginx at $PUBLIC_URL still answers from '${seen:-nothing}' after ${FLIP_TIMEOUT} s, not $expected"
            return 1
        fi
        [ "$in_a_row" -ge 3 ] || sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------------
# The lock: one deploy, rollback or stop at a time.

open_lock() {
    mkdir -p "$STATE_DIR"
    exec {LOCK_FD}>>"$LOCK_FILE"
}

# Who holds the lock, for the messages of those refused; removed when this run ends.
record_lock_owner() {
    echo "pid $$, '$ACTION_LINE', since $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$LOCK_OWNER_FILE"
    LOCK_HELD=1
}

lock_owner() {
    local owner
    owner=$(cat "$LOCK_OWNER_FILE" 2>/dev/null || true)
    echo "${owner:-owner not recorded yet}"
}

take_lock() {
    open_lock
    if ! flock -n "$LOCK_FD"; then
        local owner
        owner=$(lock_owner)
        if [ "$(microseconds "$LOCK_TIMEOUT")" -eq 0 ]; then
            die "another deploy holds $LOCK_FILE ($owner); not starting '$ACTION_LINE' (CONCIERGE_DEPLOY_LOCK_TIMEOUT=0)"
        fi
        say "another deploy holds $LOCK_FILE ($owner); waiting up to ${LOCK_TIMEOUT} s"
        flock -w "$LOCK_TIMEOUT" "$LOCK_FD" ||
            die "another deploy still holds $LOCK_FILE after ${LOCK_TIMEOUT} s ($owner); not starting '$ACTION_LINE'"
    fi
    record_lock_owner
}

lock_owner_pid() { sed -n 's/^pid \([0-9]*\),.*/\1/p' "$LOCK_OWNER_FILE" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------------
# The deploy log: one line per action, key=value.

log_action() {
    printf 'time=%s action=%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ACTION" "$*" >>"$DEPLOY_LOG"
}

# ---------------------------------------------------------------------------------------------------
# Registry versions and golden requests

# resolve_version VERSION_OR_ALIAS: the version number the registry gives for it.
resolve_version() {
    local answer
    [[ $1 =~ ^([0-9]+|[A-Za-z][A-Za-z0-9_.-]*)$ ]] || die "'$1' is neither a version number nor an alias"
    answer=$("$BIN" registry resolve "$MODEL" "$1" --registry "$REGISTRY" 2>&1) ||
        die "the registry at $REGISTRY has no $MODEL version or alias '$1': $answer"
    echo "$answer"
}

# check_golden NEW_COLOUR ACTIVE_COLOUR_OR_EMPTY: `concierge deploy-check golden` on the new colour (its
# lines printed as this script's); the overlap is measured against the active colour when there is one.
check_golden() {
    local arguments=(--new "$(colour_url "$1")" --registry "$REGISTRY" --model "$MODEL" --version "$NEW_VERSION"
        --min-overlap "$GOLDEN_MIN_OVERLAP")
    [ -z "$2" ] || arguments+=(--active "$(colour_url "$2")")
    [ -z "$GOLDEN_REQUESTS" ] || arguments+=(--requests "$GOLDEN_REQUESTS")
    "$BIN" deploy-check golden "${arguments[@]}" 2>&1 | while IFS= read -r line; do say "$line"; done
}

# judge_new_colour BASELINE: `concierge deploy-check judge` on the new colour's traffic since BASELINE (its
# /metrics at the flip). Prints "requests=… errors_5xx=… ratio=… p99_s=… judged=0|1"; fails with the
# reason on the last line of JUDGE_ERROR.
judge_new_colour() {
    "$BIN" deploy-check judge --url "$(colour_url "$NEW_COLOUR")" --baseline "$1" --max-5xx-ratio "$MAX_5XX_RATIO" \
        --max-p99 "$MAX_P99_SECONDS" --min-requests "$ANALYSIS_MIN_REQUESTS" 2>"$SCRATCH/judge.error"
}

# ---------------------------------------------------------------------------------------------------
# Undoing a deploy that failed. The variables say how far it got.

NEW_COLOUR=""
OLD_COLOUR=""
NEW_VERSION=""
OLD_VERSION=""
NEW_LAUNCHED=0
UPSTREAM_CHANGED=0
OLD_STOPPED=0
DEPLOY_OPEN=0
STEP=""

# describe_state: one line on what serves now, for every failure message.
describe_state() {
    local colour answer fields parts=() upstream served
    for colour in blue green; do
        answer=$(health "$colour")
        if [ -n "$answer" ]; then
            read -r -a fields <<<"$answer"
            parts+=("$colour: ${fields[0]} $MODEL/${fields[1]}")
        else
            parts+=("$colour: stopped")
        fi
    done
    upstream=$(active_colour 2>/dev/null || echo "unreadable")
    served=$(served_by_nginx)
    echo "upstream -> $upstream; nginx answers from ${served:-nothing}; ${parts[0]}; ${parts[1]}"
}

# undo_deploy: puts the old colour back in front and stops the new one, as far as the deploy got.
undo_deploy() {
    DEPLOY_OPEN=0
    if [ "$UPSTREAM_CHANGED" = 1 ]; then
        if [ "$OLD_STOPPED" = 1 ]; then
            say "rollback: the old colour $OLD_COLOUR is stopped; starting it again on $MODEL/$OLD_VERSION"
            if ! launch_colour "$OLD_COLOUR" || ! wait_until_ready "$OLD_COLOUR" "$OLD_VERSION"; then
                say "ROLLBACK FAILED: $OLD_COLOUR did not come back; leaving $NEW_COLOUR serving"
                return 1
            fi
        elif ! is_ready_on "$OLD_COLOUR" "$OLD_VERSION"; then
            say "ROLLBACK FAILED: the old colour $OLD_COLOUR is not ready; leaving $NEW_COLOUR serving"
            return 1
        fi
        say "rollback: putting back the upstream file as it was before the deploy ($OLD_COLOUR)"
        if ! install_upstream "$SCRATCH/upstream.original" || ! confirm_nginx_serves "$OLD_COLOUR" "$OLD_VERSION"; then
            say "ROLLBACK FAILED: nginx does not answer from $OLD_COLOUR; $NEW_COLOUR left running"
            return 1
        fi
        say "rollback: nginx answers from $OLD_COLOUR again"
    fi
    if [ "$NEW_LAUNCHED" = 1 ]; then
        stop_colour "$NEW_COLOUR"
    fi
}

# fail_deploy REASON: undo, say which step failed, why, and what serves now; log; exit 1.
fail_deploy() {
    local reason=$1 outcome=failed
    trap - INT TERM
    [ "$UPSTREAM_CHANGED" = 1 ] && outcome=rolled-back
    say "FAILED at step '$STEP': $reason"
    if [ "$DEPLOY_OPEN" = 1 ] && ! undo_deploy; then outcome=rollback-failed; fi
    say "state now: $(describe_state)"
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION from=$OLD_COLOUR/${OLD_VERSION:-none} outcome=$outcome" \
        "step=\"$STEP\" reason=\"${reason//\"/\'}\" total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")"
    clean_up
    exit 1
}

clean_up() {
    [ -z "$SCRATCH" ] || rm -rf "$SCRATCH"
    SCRATCH=""
    [ "$LOCK_HELD" = 0 ] || rm -f "$LOCK_OWNER_FILE"
}

on_exit() {
    local status=$?
    if [ "$DEPLOY_OPEN" = 1 ]; then
        fail_deploy "unexpected error (exit status $status)"
    fi
    clean_up
}

on_signal() {
    fail_deploy "interrupted by $1"
}

# wait_until_ready COLOUR VERSION: polls /health until ready on VERSION; fails at the deadline or as
# soon as the instance is gone.
wait_until_ready() {
    local colour=$1 version=$2 deadline answer
    deadline=$(($(now_us) + $(microseconds "$READY_TIMEOUT")))
    while true; do
        answer=$(health "$colour")
        case $answer in
            "ready $version $colour") return 0 ;;
            "ready "*)
                say "$colour's port answers '$answer', expected 'ready $version $colour': another instance holds it"
                return 1
                ;;
        esac
        if ! colour_running "$colour"; then
            say "$colour stopped before it was ready:"
            why_stopped "$colour"
            return 1
        fi
        if [ "$(now_us)" -ge "$deadline" ]; then
            say "$colour not ready after ${READY_TIMEOUT} s (its /health says: ${answer:-nothing})"
            return 1
        fi
        sleep 0.1
    done
}

# begin_step NAME / end_step: prints the step and, at its end, how long it took.
begin_step() {
    STEP="$*"
    STEP_STARTED=$(now_us)
    say "$STEP ..."
}

end_step() {
    say "$STEP: done in $(seconds_between "$STEP_STARTED" "$(now_us)") s"
}

# start_new_colour COLOUR VERSION: frees the colour's slot (a leftover instance is stopped, a foreign
# listener is an error), records what the colour runs, and starts it.
start_new_colour() {
    local colour=$1 version=$2 port
    port=$(colour_port "$colour")
    if colour_running "$colour"; then
        say "$colour still runs from an earlier deploy ($(health "$colour")); stopping it first"
        stop_colour "$colour"
    fi
    port_in_use "$port" && fail_deploy "port $port ($colour) is taken by a process this script did not start"
    write_instance_settings "$colour" "$version"
    NEW_LAUNCHED=1
    launch_colour "$colour" || fail_deploy "could not start $colour with the $LAUNCHER launcher"
}

# ---------------------------------------------------------------------------------------------------
# Commands

command_up() {
    local requested=$1
    require_binary
    take_lock
    SCRATCH=$(mktemp -d)
    DEPLOY_STARTED=$(now_us)
    NEW_VERSION=$(resolve_version "$requested")
    [ -f "$UPSTREAM_FILE" ] || die "no upstream file at $UPSTREAM_FILE (CONCIERGE_DEPLOY_NGINX_UPSTREAM); on a new host, 'deploy.sh init' first"
    OLD_COLOUR=$(active_colour) || die "cannot tell the active colour: $UPSTREAM_FILE names neither blue ($BLUE_PORT) nor green ($GREEN_PORT)"
    NEW_COLOUR=$(other_colour "$OLD_COLOUR")
    OLD_VERSION=$(recorded_version "$OLD_COLOUR")
    cp "$UPSTREAM_FILE" "$SCRATCH/upstream.original"
    local active_for_overlap=""
    [ -z "$GOLDEN_REQUESTS" ] || [ -r "$GOLDEN_REQUESTS" ] || die "cannot read CONCIERGE_DEPLOY_GOLDEN_REQUESTS=$GOLDEN_REQUESTS"
    local nginx_output
    nginx_output=$(nginx_run -t 2>&1) || die "nginx's configuration is already invalid; fix it first. nginx -t said: $nginx_output"

    say "deploying $MODEL/$NEW_VERSION ($requested) on $NEW_COLOUR; active: $OLD_COLOUR ($MODEL/${OLD_VERSION:-?})"
    if is_ready_on "$OLD_COLOUR" "$OLD_VERSION"; then
        active_for_overlap=$OLD_COLOUR
    else
        warn "the active colour $OLD_COLOUR is not ready on $MODEL/${OLD_VERSION:-?}: no instant rollback, no overlap"
    fi
    DEPLOY_OPEN=1
    trap 'on_signal SIGINT' INT
    trap 'on_signal SIGTERM' TERM

    begin_step "start $NEW_COLOUR on $(colour_url "$NEW_COLOUR") with $MODEL/$NEW_VERSION"
    start_new_colour "$NEW_COLOUR" "$NEW_VERSION"
    local launched
    launched=$(now_us)
    end_step

    begin_step "wait until $NEW_COLOUR is ready (deadline ${READY_TIMEOUT} s)"
    wait_until_ready "$NEW_COLOUR" "$NEW_VERSION" || fail_deploy "$NEW_COLOUR never became ready on $MODEL/$NEW_VERSION"
    local ready_s
    ready_s=$(seconds_between "$launched" "$(now_us)")
    end_step

    begin_step "golden requests against $NEW_COLOUR"
    check_golden "$NEW_COLOUR" "$active_for_overlap" || fail_deploy "golden requests failed on $NEW_COLOUR"
    end_step

    begin_step "point nginx at $NEW_COLOUR ($UPSTREAM_FILE, nginx -t, reload)"
    UPSTREAM_CHANGED=1
    point_nginx_at "$NEW_COLOUR" "$NEW_VERSION" || {
        UPSTREAM_CHANGED=0
        fail_deploy "nginx refused the new upstream (previous file restored, nginx not reloaded)"
    }
    end_step

    begin_step "confirm nginx answers from $NEW_COLOUR (deadline ${FLIP_TIMEOUT} s)"
    confirm_nginx_serves "$NEW_COLOUR" "$NEW_VERSION" || fail_deploy "nginx does not answer from $NEW_COLOUR"
    local flipped flip_s
    flipped=$(now_us)
    flip_s=$(seconds_between "$launched" "$flipped")
    end_step

    watch_new_colour "$launched" "$flipped"
    local stopped_s=$WATCH_OLD_STOPPED_S
    DEPLOY_OPEN=0
    trap - INT TERM
    enable_at_boot "$NEW_COLOUR"
    local total_s
    total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION requested=$requested from=$OLD_COLOUR/${OLD_VERSION:-none}" \
        "outcome=ok ready_s=$ready_s flip_s=$flip_s old_stopped_s=$stopped_s $WATCH_SUMMARY total_s=$total_s"
    say "deployed $MODEL/$NEW_VERSION on $NEW_COLOUR: ready in $ready_s s, serving in $flip_s s," \
        "$OLD_COLOUR stopped at $stopped_s s (from the start of $NEW_COLOUR); $total_s s in all"
}

# watch_new_colour LAUNCHED_US FLIPPED_US: the post-promotion analysis. For the analysis window, and for
# as long as the old colour still runs, looks at the new colour's /metrics every interval (counting from
# the flip) and rolls back when the new colour stops, restarts, or passes a threshold; stops the old
# colour when the grace period ends. Sets WATCH_OLD_STOPPED_S (seconds from the new colour's launch)
# and WATCH_SUMMARY.
watch_new_colour() {
    local launched=$1 flipped=$2 grace_end analysis_end end now
    local baseline=$SCRATCH/metrics.baseline verdict="requests=0 judged=0"
    grace_end=$((flipped + $(microseconds "$GRACE_SECONDS")))
    analysis_end=$((flipped + $(microseconds "$ANALYSIS_SECONDS")))
    end=$((grace_end > analysis_end ? grace_end : analysis_end))
    begin_step "watch $NEW_COLOUR for ${ANALYSIS_SECONDS} s (5xx ratio <= $MAX_5XX_RATIO, p99 <= ${MAX_P99_SECONDS} s" \
        "once $ANALYSIS_MIN_REQUESTS requests have come); $OLD_COLOUR stays up ${GRACE_SECONDS} s"
    curl -fsS --connect-timeout 1 --max-time 2 -o "$baseline" "$(colour_url "$NEW_COLOUR")/metrics" 2>/dev/null ||
        fail_deploy "$NEW_COLOUR does not answer /metrics"
    while true; do
        now=$(now_us)
        if [ "$OLD_STOPPED" = 0 ] && [ "$now" -ge "$grace_end" ]; then
            say "grace period over: stopping $OLD_COLOUR (SIGTERM; it drains)"
            stop_colour "$OLD_COLOUR"
            OLD_STOPPED=1
            WATCH_OLD_STOPPED_S=$(seconds_between "$launched" "$(now_us)")
            now=$(now_us)
        fi
        [ "$now" -lt "$end" ] || break
        local pause next_stop=$end
        [ "$OLD_STOPPED" = 1 ] || next_stop=$grace_end
        pause=$((next_stop - now))
        [ "$pause" -le "$(microseconds "$ANALYSIS_INTERVAL")" ] || pause=$(microseconds "$ANALYSIS_INTERVAL")
        sleep "$(seconds_between 0 "$pause")"
        if ! colour_running "$NEW_COLOUR"; then
            say "$NEW_COLOUR stopped after the flip:"
            why_stopped "$NEW_COLOUR"
            fail_deploy "$NEW_COLOUR stopped after the flip"
        fi
        if ! verdict=$(judge_new_colour "$baseline"); then
            [ -z "$verdict" ] || say "  $NEW_COLOUR since the flip: $verdict"
            fail_deploy "$NEW_COLOUR: $(tail -n 1 "$SCRATCH/judge.error" | sed 's/^Error: //')"
        fi
        say "  $NEW_COLOUR since the flip: $verdict"
    done
    if [[ $verdict == *judged=0 ]]; then
        say "  fewer than $ANALYSIS_MIN_REQUESTS requests reached $NEW_COLOUR since the flip: ratios not judged"
    fi
    WATCH_SUMMARY=$verdict
    end_step
}

command_init() {
    local requested=$1 colour=blue
    require_binary
    take_lock
    SCRATCH=$(mktemp -d)
    DEPLOY_STARTED=$(now_us)
    local active
    if active=$(active_colour) && [ -n "$(health "$active")" ]; then
        die "$active already runs behind $UPSTREAM_FILE ($(health "$active")); use 'deploy.sh up'"
    fi
    NEW_VERSION=$(resolve_version "$requested")
    NEW_COLOUR=$colour
    OLD_COLOUR=none
    DEPLOY_OPEN=1
    trap 'on_signal SIGINT' INT
    trap 'on_signal SIGTERM' TERM
    begin_step "start $colour on $(colour_url "$colour") with $MODEL/$NEW_VERSION"
    start_new_colour "$colour" "$NEW_VERSION"
    wait_until_ready "$colour" "$NEW_VERSION" || fail_deploy "$colour never became ready on $MODEL/$NEW_VERSION"
    end_step
    begin_step "point nginx at $colour ($UPSTREAM_FILE, nginx -t, reload when nginx runs)"
    mkdir -p "$(dirname "$UPSTREAM_FILE")"
    render_upstream "$colour" "$NEW_VERSION" >"$SCRATCH/upstream.new"
    if [ -f "$UPSTREAM_FILE" ]; then cp "$UPSTREAM_FILE" "$SCRATCH/upstream.original"; fi
    replace_upstream "$SCRATCH/upstream.new"
    local output
    if ! output=$(nginx_run -t 2>&1); then
        if [ -f "$SCRATCH/upstream.original" ]; then replace_upstream "$SCRATCH/upstream.original"; fi
        fail_deploy "nginx -t rejects the configuration with the new upstream (previous file restored): $output"
    fi
    if output=$(nginx_run -s reload 2>&1); then
        say "nginx reloaded"
    else
        say "nginx did not reload (not running?): once started it sends traffic to $colour. nginx said: $output"
    fi
    end_step
    DEPLOY_OPEN=0
    trap - INT TERM
    enable_at_boot "$colour"
    log_action "colour=$colour version=$NEW_VERSION requested=$requested outcome=ok total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")"
    say "$colour serves $MODEL/$NEW_VERSION"
}

command_rollback() {
    open_lock
    if ! flock -n "$LOCK_FD"; then
        rollback_running_deploy
        return
    fi
    record_lock_owner
    SCRATCH=$(mktemp -d)
    DEPLOY_STARTED=$(now_us)
    OLD_COLOUR=$(active_colour) || die "cannot tell the active colour from $UPSTREAM_FILE (CONCIERGE_DEPLOY_NGINX_UPSTREAM)"
    NEW_COLOUR=$(other_colour "$OLD_COLOUR")
    OLD_VERSION=$(recorded_version "$OLD_COLOUR")
    cp "$UPSTREAM_FILE" "$SCRATCH/upstream.original"
    NEW_VERSION=$(recorded_version "$NEW_COLOUR")
    [ -n "$NEW_VERSION" ] || die "$NEW_COLOUR has never run here: nothing to roll back to"
    say "rolling back: $OLD_COLOUR ($MODEL/${OLD_VERSION:-?}) -> $NEW_COLOUR ($MODEL/$NEW_VERSION)"
    DEPLOY_OPEN=1
    trap 'on_signal SIGINT' INT
    trap 'on_signal SIGTERM' TERM
    if is_ready_on "$NEW_COLOUR" "$NEW_VERSION"; then
        say "$NEW_COLOUR is still running and ready: switching at once"
    else
        begin_step "start $NEW_COLOUR again on $MODEL/$NEW_VERSION"
        [ -x "$(colour_dir "$NEW_COLOUR")/concierge" ] || fail_deploy "$NEW_COLOUR's binary link $(colour_dir "$NEW_COLOUR")/concierge is broken"
        if colour_running "$NEW_COLOUR"; then stop_colour "$NEW_COLOUR"; fi
        port_in_use "$(colour_port "$NEW_COLOUR")" && fail_deploy "port $(colour_port "$NEW_COLOUR") is taken by a process this script did not start"
        NEW_LAUNCHED=1
        launch_colour "$NEW_COLOUR" || fail_deploy "could not start $NEW_COLOUR with the $LAUNCHER launcher"
        wait_until_ready "$NEW_COLOUR" "$NEW_VERSION" || fail_deploy "$NEW_COLOUR never became ready on $MODEL/$NEW_VERSION"
        end_step
    fi
    begin_step "point nginx at $NEW_COLOUR"
    UPSTREAM_CHANGED=1
    point_nginx_at "$NEW_COLOUR" "$NEW_VERSION" || {
        UPSTREAM_CHANGED=0
        fail_deploy "nginx refused the new upstream (previous file restored, nginx not reloaded)"
    }
    confirm_nginx_serves "$NEW_COLOUR" "$NEW_VERSION" || fail_deploy "nginx does not answer from $NEW_COLOUR"
    end_step
    DEPLOY_OPEN=0
    trap - INT TERM
    begin_step "stop $OLD_COLOUR"
    stop_colour "$OLD_COLOUR"
    end_step
    enable_at_boot "$NEW_COLOUR"
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION from=$OLD_COLOUR/${OLD_VERSION:-none} outcome=ok" \
        "total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")"
    say "rolled back: $NEW_COLOUR serves $MODEL/$NEW_VERSION"
}

# A deploy holds the lock: ask it to undo itself (its SIGTERM handler rolls back), then report.
rollback_running_deploy() {
    local pid
    pid=$(lock_owner_pid)
    if [ -z "$pid" ] || ! pid_alive "$pid"; then
        die "the deploy lock is held but its owner is unknown ($(lock_owner))"
    fi
    say "a deploy is running ($(lock_owner)): asking it to roll back (SIGTERM to pid $pid)"
    kill -TERM "$pid"
    # Its undo may restart the old colour, reload nginx and drain the new colour.
    local patience=$((($(microseconds "$READY_TIMEOUT") + $(microseconds "$FLIP_TIMEOUT") + $(microseconds "$DRAIN_TIMEOUT")) / 1000000 + 60))
    flock -w "$patience" "$LOCK_FD" || die "the deploy (pid $pid) has not finished its rollback after $patience s"
    say "the deploy has finished; state now: $(describe_state)"
}

command_stop() {
    local force=0
    if [ "${1:-}" = --force ]; then force=1; shift; fi
    [ $# -eq 1 ] || die "usage: deploy.sh stop [--force] COLOUR"
    local colour=$1 active
    check_colour "$colour"
    take_lock
    if active=$(active_colour) && [ "$active" = "$colour" ] && [ "$force" = 0 ]; then
        die "$colour is the active colour (nginx sends traffic to it): deploy or roll back first, or --force for an outage"
    fi
    if ! colour_running "$colour"; then
        say "$colour is not running"
        return 0
    fi
    stop_colour "$colour"
    log_action "colour=$colour outcome=ok forced=$force"
}

command_status() {
    local active colour answer healthy=1 served
    active=$(active_colour 2>/dev/null) || active=""
    say "upstream $UPSTREAM_FILE -> ${active:-unknown} (launcher: $LAUNCHER, state: $STATE_DIR)"
    printf '  %-6s %-7s %-8s %-6s %-22s %s\n' COLOUR ROLE PROCESS PORT "/health" "LAST STARTED ON"
    for colour in blue green; do
        local role=idle running=stopped version
        [ "$colour" != "$active" ] || role=active
        if colour_running "$colour"; then running=running; fi
        answer=$(health "$colour")
        version=$(recorded_version "$colour")
        printf '  %-6s %-7s %-8s %-6s %-22s %s\n' "$colour" "$role" "$running" "$(colour_port "$colour")" \
            "${answer:-no answer}" "${version:+$MODEL/$version}"
        if [ "$role" = active ] && [[ $answer != "ready "* ]]; then healthy=0; fi
    done
    served=$(served_by_nginx)
    say "  nginx at $PUBLIC_URL answers from: ${served:-nothing}"
    [ -n "$active" ] && [[ $served == "$active "* ]] || healthy=0
    if [ -f "$DEPLOY_LOG" ]; then say "  last: $(tail -n 1 "$DEPLOY_LOG")"; fi
    local owner_pid
    owner_pid=$(lock_owner_pid)
    if [ -n "$owner_pid" ] && pid_alive "$owner_pid" && ! flock -n "$LOCK_FILE" true 2>/dev/null; then
        say "  in progress: $(lock_owner)"
    fi
    [ "$healthy" = 1 ]
}

main() {
    [ $# -ge 1 ] || { usage >&2; exit 2; }
    ACTION=$1
    ACTION_LINE="$*"
    shift
    case $ACTION in
        help | -h | --help) usage; exit 0 ;;
    esac
    validate_settings
    trap on_exit EXIT
    case $ACTION in
        up)
            [ $# -eq 1 ] || die "usage: deploy.sh up VERSION_OR_ALIAS"
            command_up "$1"
            ;;
        init)
            [ $# -eq 1 ] || die "usage: deploy.sh init VERSION_OR_ALIAS"
            command_init "$1"
            ;;
        rollback)
            [ $# -eq 0 ] || die "usage: deploy.sh rollback"
            command_rollback
            ;;
        stop) command_stop "$@" ;;
        status)
            [ $# -eq 0 ] || die "usage: deploy.sh status"
            command_status
            ;;
        *) usage >&2; die "unknown command '$ACTION'" ;;
    esac
}

main "$@"
