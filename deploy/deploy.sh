#!/usr/bin/env bash
# Blue-green deploys of Concierge behind nginx, on one host or a fleet: a deploy brings up the idle colour,
# proves it, points nginx at it and watches it; any failure puts the old colour back (docs/deploy.md).
#
# Usage:
#   deploy.sh up VERSION_OR_ALIAS   deploy a registry version (a number, or an alias such as production)
#   deploy.sh rollback              serve the other colour again; during a deploy, make it roll back
#   deploy.sh status                the colours, their instances and the last deploy; exits 1 unless serving
#   deploy.sh stop [--force] COLOUR stop a colour; the active one only with --force (an outage)
#   deploy.sh init VERSION_OR_ALIAS first start where nothing serves yet: blue, then the upstream
#   deploy.sh help
# Settings: CONCIERGE_DEPLOY_* (docs/deploy.md, "Settings"); serve's own CONCIERGE_* reach the instances
# with the process launcher, and come from /etc/concierge/concierge.env with systemd.
# Needs bash 5, jq, flock (util-linux) and nginx.
set -euo pipefail

BIN=${CONCIERGE_DEPLOY_BIN:-/usr/local/bin/concierge}
ACTION=""
ACTION_LINE=""
LOCK_FD=""
LOCK_HELD=0
SCRATCH=""

# --- Output, time, settings
say() { printf '[deploy %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { say "WARNING: $*" >&2; }
die() { say "ERROR: $*" >&2; exit 1; }
say_lines() { while IFS= read -r line; do say "  $line"; done; }
usage() { sed -n '/^# Usage:/,/^# Needs bash/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

now_us() { echo "${EPOCHREALTIME/./}"; }
# seconds_between START_US END_US: the interval in seconds with two decimals.
seconds_between() {
    local us=$(($2 - $1))
    printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

# load_settings: this script's variables (REGISTRY, READY_TIMEOUT_US, ...) from the checked settings.
load_settings() {
    local settings setting
    [ -x "$BIN" ] || die "no executable concierge binary at $BIN (CONCIERGE_DEPLOY_BIN)"
    settings=$("$BIN" deploy-check settings 2>&1) || die "${settings#Error: }"
    while IFS= read -r setting; do declare -g "$setting"; done <<<"$settings"
    read -r -a NGINX_COMMAND <<<"$NGINX"
    read -r -a SYSTEMCTL_COMMAND <<<"$SYSTEMCTL"
    read -r -a SSH_COMMAND <<<"$SSH"
    CREDENTIALS=()
    [ -z "$CREDENTIALS_FILE" ] || CREDENTIALS=(--credentials-file "$CREDENTIALS_FILE")
    for setting in jq flock "${NGINX_COMMAND[0]}"; do
        command -v "$setting" >/dev/null || die "$setting is not installed (Debian: jq util-linux nginx)"
    done
}

# --- Colours, instances (HOST:PORT) and hosts
other_colour() { if [ "$1" = blue ]; then echo green; else echo blue; fi; }
instances() { if [ "$1" = blue ]; then echo "$BLUE_INSTANCES"; else echo "$GREEN_INSTANCES"; fi; }
hosts() { "$BIN" deploy-check hosts "$1" | cut -d' ' -f1; }
check_colour() { [[ $1 == blue || $1 == green ]] || die "a colour is blue or green, not '$1'"; }
active_colour() { "$BIN" deploy-check active-colour; }

# on_host HOST COMMAND...: through CONCIERGE_DEPLOY_SSH when it is set.
on_host() {
    local host=$1
    shift
    if [ ${#SSH_COMMAND[@]} = 0 ]; then "$@"; else "${SSH_COMMAND[@]}" "$host" "${*@Q}"; fi
}

# The process launcher may run several instances of a colour here, one folder each; systemd, one per host.
# shellcheck disable=SC2153 # LAUNCHER, like every setting, is declared by load_settings
instance_dir() {
    if [ "$LAUNCHER" = process ]; then echo "$STATE_DIR/$1/$2"; else echo "$STATE_DIR/$1"; fi
}

# What the colour was last started on.
recorded_version() { cat "$STATE_DIR/$1/version" 2>/dev/null || true; }
recorded_build() { cat "$STATE_DIR/$1/build" 2>/dev/null || true; }

# health INSTANCE: "STATUS VERSION COLOUR", or nothing when it does not answer.
health() { "$BIN" deploy-check health "$1"; }
ready_on() { "$BIN" deploy-check ready "$1" "$2" >/dev/null; }

# check_registries COLOUR VERSION: every host's copy has CONCIERGE_DEPLOY_REGISTRY's manifest: the same bytes.
check_registries() {
    local expected found host copy
    begin_step "check that every host of $1 holds the same $MODEL/$2"
    expected=$("$BIN" registry show "$MODEL" "$2" --json --registry "$REGISTRY" | jq -r .manifest_sha256)
    while read -r host copy; do
        found=$(on_host "$host" "$BIN" registry show "$MODEL" "$2" --json --registry "$copy" </dev/null 2>&1 |
            jq -r .manifest_sha256 2>/dev/null) || found=""
        [ -n "$found" ] || fail_deploy "$host's registry $copy has no $MODEL/$2 (concierge registry pull)"
        [ "$found" = "$expected" ] ||
            fail_deploy "$host's $MODEL/$2 has manifest SHA-256 $found, not $expected: another version under that number"
    done < <("$BIN" deploy-check hosts "$1")
    say "every host of $1 holds $MODEL/$2, manifest SHA-256 $expected"
    end_step
}

# --- Launchers: systemd units, or plain processes
systemctl_on() { on_host "$1" "${SYSTEMCTL_COMMAND[@]}" "${@:2}"; }
unit_name() { echo "$SYSTEMD_UNIT@$1.service"; }

# launch_instance COLOUR INSTANCE VERSION BUILD: writes its env file and binary link on its host, starts it.
launch_instance() {
    local colour=$1 instance=$2 host=${2%:*} dir
    dir=$(instance_dir "$colour" "$instance")
    # shellcheck disable=SC2016 # the folder and the build are the inner shell's $1 and $2
    local install='mkdir -p "$1" && cat >"$1/env.new" && mv -f "$1/env.new" "$1/env" && ln -sfn "$2" "$1/concierge"'
    "$BIN" deploy-check instance-env "$colour" "$instance" "$3" | on_host "$host" sh -c "$install" sh "$dir" "$4"
    if [ "$LAUNCHER" = systemd ]; then
        systemctl_on "$host" reset-failed "$(unit_name "$colour")" 2>/dev/null || true
        systemctl_on "$host" start "$(unit_name "$colour")"
        return
    fi
    # Its own session, so a Ctrl-C in this terminal does not reach it, and without this script's lock,
    # which it would otherwise hold for as long as it runs.
    echo "=== deploy.sh starts $instance ($colour) on $MODEL/$3 at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$dir/serve.log"
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

# pid_alive PID: the process exists and is not a zombie waiting for its parent.
pid_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

instance_pid() { cat "$(instance_dir "$1" "$2")/pid" 2>/dev/null || true; }
instance_running() {
    local state pid
    if [ "$LAUNCHER" = systemd ]; then
        state=$(systemctl_on "${2%:*}" show -p ActiveState -p SubState --value "$(unit_name "$1")" 2>/dev/null | tr '\n' ' ')
        [[ $state == "active running " || $state == "activating start " ]]
    else
        pid=$(instance_pid "$1" "$2")
        [ -n "$pid" ] && pid_alive "$pid"
    fi
}

# stopped_instance COLOUR: says how the first instance that no longer runs ended; fails when all run.
# Not in a $(...): only this shell can collect the exit status of an instance it started.
stopped_instance() {
    local colour=$1 instance
    for instance in $(instances "$colour"); do
        ! instance_running "$colour" "$instance" || continue
        if [ "$LAUNCHER" = systemd ]; then
            say "  $instance $(unit_name "$colour"): $(systemctl_on "${instance%:*}" show -p ActiveState -p SubState \
                -p ExecMainStatus "$(unit_name "$colour")" 2>/dev/null | paste -sd ' ')"
            on_host "${instance%:*}" journalctl -u "$(unit_name "$colour")" -n 5 --no-pager 2>/dev/null | sed 's/^/    /' || true
        else
            local pid status=0 dir
            pid=$(instance_pid "$colour" "$instance")
            dir=$(instance_dir "$colour" "$instance")
            wait "$pid" 2>/dev/null || status=$?
            [ "$status" != 127 ] || status="unknown (not started by this run)"
            say "  $instance: process $pid exited with status $status; its last lines in $dir/serve.log:"
            awk '/^=== deploy.sh starts / { n = 0; next } { line[++n] = $0 }
                END { for (i = n > 5 ? n - 4 : 1; i <= n; i++) print "    " line[i] }' "$dir/serve.log" 2>/dev/null || true
        fi
        return 0
    done
    return 1
}

# stop_instance COLOUR INSTANCE: SIGTERM (it drains), SIGKILL only past the drain timeout.
stop_instance() {
    if [ "$LAUNCHER" = systemd ]; then
        systemctl_on "${2%:*}" stop "$(unit_name "$1")" || warn "could not stop $(unit_name "$1") on ${2%:*}"
        return
    fi
    local pid deadline
    pid=$(instance_pid "$1" "$2")
    if [ -n "$pid" ] && pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$(($(now_us) + DRAIN_TIMEOUT_US + 5000000))
        while pid_alive "$pid" && [ "$(now_us)" -lt "$deadline" ]; do sleep 0.05; done
        if pid_alive "$pid"; then
            warn "$2 (pid $pid) still running ${DRAIN_TIMEOUT}+5 s after SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            while pid_alive "$pid"; do sleep 0.05; done
        fi
        wait "$pid" 2>/dev/null || true
    fi
    rm -f "$(instance_dir "$1" "$2")/pid"
}

stop_colour() {
    local started instance
    started=$(now_us)
    for instance in $(instances "$1"); do stop_instance "$1" "$instance"; done
    say "stopped $1 ($(instances "$1")) in $(seconds_between "$started" "$(now_us)") s"
}

# Boot brings back the colour nginx sends traffic to, not the other.
enable_at_boot() {
    [ "$LAUNCHER" = systemd ] || return 0
    local host
    for host in $(hosts "$(other_colour "$1")"); do
        systemctl_on "$host" disable --quiet "$(unit_name "$(other_colour "$1")")" || warn "could not disable $(other_colour "$1") on $host"
    done
    for host in $(hosts "$1"); do
        systemctl_on "$host" enable --quiet "$(unit_name "$1")" || warn "could not enable $1 at boot on $host"
    done
}

# start_colour COLOUR VERSION BUILD KEEP_READY: KEEP_READY=1 keeps an instance ready on VERSION (a rollback in
# the grace period); other leftovers are stopped. Fails when a process this script did not start holds a port.
start_colour() {
    local colour=$1 version=$2 build=$3 instance
    mkdir -p "$STATE_DIR/$colour"
    echo "$version" >"$STATE_DIR/$colour/version"
    echo "$build" >"$STATE_DIR/$colour/build"
    for instance in $(instances "$colour"); do
        [ "$4" = 0 ] || [ "$(health "$instance")" != "ready $version $colour" ] || continue
        if instance_running "$colour" "$instance"; then
            say "$instance ($colour) still runs from an earlier deploy ($(health "$instance")); stopping it first"
            stop_instance "$colour" "$instance"
        fi
        if (exec 3<>"/dev/tcp/${instance%:*}/${instance##*:}") 2>/dev/null; then
            say "$instance ($colour) is taken by a process this script did not start"
            return 1
        fi
        launch_instance "$colour" "$instance" "$version" "$build" || { say "could not start $instance with the $LAUNCHER launcher" && return 1; }
    done
}

# await COLOUR STOPPED_WHILE DEADLINE_US CHECK...: `deploy-check CHECK` until it passes; fails when it
# exits 2 (waiting will not help), at the deadline, or as soon as an instance of COLOUR is gone.
await() {
    local colour=$1 stopped_while=$2 deadline=$(($(now_us) + $3)) answer
    shift 3
    until answer=$("$BIN" deploy-check "$@"); do
        if [ $? != 1 ]; then say "$answer" && return 1; fi
        if stopped_instance "$colour"; then say "$colour stopped $stopped_while (above)" && return 1; fi
        if [ "$(now_us)" -ge "$deadline" ]; then say "$answer" && return 1; fi
        sleep 0.05
    done
}
wait_until_ready() { await "$1" "before it was ready" "$READY_TIMEOUT_US" ready "$1" "$2"; }
confirm_nginx_serves() { await "$1" "while nginx was being pointed at it" "$FLIP_TIMEOUT_US" serving "$1" "$2"; }

# --- nginx and the upstream file
nginx_run() {
    local arguments=()
    [ -z "$NGINX_PREFIX" ] || arguments+=(-p "$NGINX_PREFIX/" -e "$NGINX_PREFIX/error.log")
    "${NGINX_COMMAND[@]}" "${arguments[@]}" -c "$NGINX_CONF" "$@"
}

# replace_upstream FILE: atomically, by a rename within the upstream's folder.
replace_upstream() {
    local temporary
    mkdir -p "$(dirname "$UPSTREAM_FILE")"
    temporary=$(mktemp "$(dirname "$UPSTREAM_FILE")/.upstream.XXXXXX")
    cat "$1" >"$temporary"
    chmod 644 "$temporary"
    mv -f "$temporary" "$UPSTREAM_FILE"
}

# install_upstream FILE [RELOAD_MAY_FAIL]: FILE becomes the upstream, `nginx -t`, reload; if nginx rejects it, the
# previous file is put back. With RELOAD_MAY_FAIL=1 (init), an nginx not running yet is only mentioned.
install_upstream() {
    local previous=$SCRATCH/upstream.replaced output failed=""
    rm -f "$previous"
    [ ! -f "$UPSTREAM_FILE" ] || cp "$UPSTREAM_FILE" "$previous"
    replace_upstream "$1"
    if ! output=$(nginx_run -t 2>&1); then
        failed="nginx -t rejected the new upstream"
    elif ! output=$(nginx_run -s reload 2>&1); then
        if [ "${2:-0}" = 1 ]; then
            say "nginx did not reload (not running?): once started it sends traffic to the new upstream. nginx said: $output"
            return 0
        fi
        failed="nginx -s reload failed"
    fi
    [ -n "$failed" ] || return 0
    if [ -f "$previous" ]; then replace_upstream "$previous"; else rm -f "$UPSTREAM_FILE"; fi
    say "$failed; restored the previous $UPSTREAM_FILE. nginx said:"
    printf '%s\n' "$output" | sed 's/^/    /'
    [ "$failed" = "nginx -t rejected the new upstream" ] || nginx_run -s reload >/dev/null 2>&1 || true
    return 1
}

# --- The lock (one deploy, rollback or stop at a time) and the deploy log
open_lock() {
    mkdir -p "$STATE_DIR"
    exec {LOCK_FD}>>"$LOCK_FILE"
}

# Who holds the lock, for the messages of those refused.
record_lock_owner() {
    echo "pid $$, '$ACTION_LINE', since $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$LOCK_OWNER_FILE"
    LOCK_HELD=1
    SCRATCH=$(mktemp -d)
    DEPLOY_STARTED=$(now_us)
}
lock_owner() { cat "$LOCK_OWNER_FILE" 2>/dev/null || echo "owner not recorded yet"; }
lock_owner_pid() { sed -n 's/^pid \([0-9]*\),.*/\1/p' "$LOCK_OWNER_FILE" 2>/dev/null || true; }

take_lock() {
    open_lock
    if ! flock -n "$LOCK_FD"; then
        local owner
        owner=$(lock_owner)
        say "another deploy holds $LOCK_FILE ($owner); waiting up to ${LOCK_TIMEOUT} s (CONCIERGE_DEPLOY_LOCK_TIMEOUT)"
        flock -w "$LOCK_TIMEOUT" "$LOCK_FD" ||
            die "another deploy still holds $LOCK_FILE after ${LOCK_TIMEOUT} s ($owner); not starting '$ACTION_LINE'"
    fi
    record_lock_owner
}

log_action() { printf 'time=%s action=%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ACTION" "$*" >>"$DEPLOY_LOG"; }

# --- Versions and golden requests
# resolve_version VERSION_OR_ALIAS: the version number; the pattern keeps "--help" and the like out.
resolve_version() {
    local answer
    [[ $1 =~ ^([0-9]+|[A-Za-z][A-Za-z0-9_.-]*)$ ]] || die "'$1' is neither a version number nor an alias"
    answer=$("$BIN" registry resolve "$MODEL" "$1" --registry "$REGISTRY" 2>&1) ||
        die "the registry at $REGISTRY has no $MODEL version or alias '$1': $answer"
    echo "$answer"
}

check_golden() {
    begin_step "golden requests against $NEW_COLOUR"
    "$BIN" deploy-check golden --colour "$NEW_COLOUR" --version "$NEW_VERSION" "${CREDENTIALS[@]}" 2>&1 | say_lines ||
        fail_deploy "golden requests failed on $NEW_COLOUR"
    end_step
}

# --- Steps, and undoing a deploy that failed. The variables say how far it got.
NEW_LAUNCHED=0
UPSTREAM_CHANGED=0
WATCH_PID=""
DEPLOY_OPEN=0
STEP=""

begin_step() {
    STEP="$*"
    STEP_STARTED=$(now_us)
    say "$STEP ..."
}

end_step() { say "$STEP: done in $(seconds_between "$STEP_STARTED" "$(now_us)") s"; }
describe_state() { "$BIN" deploy-check status --one-line; }

# open_deploy / close_deploy: from here until close_deploy, a failure or a signal rolls back.
open_deploy() {
    DEPLOY_OPEN=1
    trap 'fail_deploy "interrupted by SIGINT"' INT
    trap 'fail_deploy "interrupted by SIGTERM"' TERM
}

close_deploy() {
    DEPLOY_OPEN=0
    trap - INT TERM
    enable_at_boot "$NEW_COLOUR"
}

# undo_deploy: puts the old colour back in front and stops the new one, as far as the deploy got.
undo_deploy() {
    DEPLOY_OPEN=0
    if [ "$UPSTREAM_CHANGED" = 1 ]; then
        if ! ready_on "$OLD_COLOUR" "$OLD_VERSION"; then
            say "rollback: the old colour $OLD_COLOUR is not all ready; starting it again on $MODEL/$OLD_VERSION"
            if ! start_colour "$OLD_COLOUR" "$OLD_VERSION" "$OLD_BUILD" 1 || ! wait_until_ready "$OLD_COLOUR" "$OLD_VERSION"; then
                say "ROLLBACK FAILED: $OLD_COLOUR did not come back; leaving $NEW_COLOUR serving"
                return 1
            fi
        fi
        say "rollback: putting back the upstream file as it was before the deploy ($OLD_COLOUR)"
        if ! install_upstream "$SCRATCH/upstream.original" || ! confirm_nginx_serves "$OLD_COLOUR" "$OLD_VERSION"; then
            say "ROLLBACK FAILED: nginx does not answer from $OLD_COLOUR; $NEW_COLOUR left running"
            return 1
        fi
        say "rollback: nginx answers from $OLD_COLOUR again"
    fi
    [ "$NEW_LAUNCHED" = 0 ] || stop_colour "$NEW_COLOUR"
}

# fail_deploy REASON: undo, say which step failed, why, and what serves now; log; exit 1.
fail_deploy() {
    local reason=$1 outcome=failed
    trap - INT TERM
    [ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true
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
    [ "$DEPLOY_OPEN" = 0 ] || fail_deploy "unexpected error (exit status $status)"
    clean_up
}

# bring_up COLOUR VERSION BUILD KEEP_READY: sets LAUNCHED and READY_S (seconds until all were ready).
bring_up() {
    NEW_LAUNCHED=1
    begin_step "start $1 (${*:2:1}: $(instances "$1")) and wait until every instance is ready (deadline ${READY_TIMEOUT} s)"
    LAUNCHED=$(now_us)
    start_colour "$@" || fail_deploy "could not start $1"
    wait_until_ready "$1" "$2" || fail_deploy "$1 never became ready on $MODEL/$2"
    READY_S=$(seconds_between "$LAUNCHED" "$(now_us)")
    end_step
}

point_nginx_at() {
    begin_step "point nginx at $1 ($UPSTREAM_FILE, nginx -t, reload) and confirm it answers from $1 (deadline ${FLIP_TIMEOUT} s)"
    "$BIN" deploy-check upstream "$1" "$2" >"$SCRATCH/upstream.new"
    UPSTREAM_CHANGED=1
    install_upstream "$SCRATCH/upstream.new" || {
        UPSTREAM_CHANGED=0
        fail_deploy "nginx -t rejected the new upstream, or nginx did not reload (previous file restored)"
    }
    confirm_nginx_serves "$1" "$2" || fail_deploy "nginx does not answer from $1"
    end_step
}

# watch_new_colour: `deploy-check watch` until the grace period ends, when the old colour is stopped, then
# to the end of the window. Sets OLD_STOPPED_S (seconds from the launch) and WATCH_SUMMARY.
watch_new_colour() {
    begin_step "watch $NEW_COLOUR for ${ANALYSIS_SECONDS} s (5xx ratio <= $MAX_5XX_RATIO, p99 <= ${MAX_P99_SECONDS} s" \
        "once $ANALYSIS_MIN_REQUESTS requests have come); $OLD_COLOUR stays up ${GRACE_SECONDS} s"
    watch_until grace
    say "grace period over: stopping $OLD_COLOUR (SIGTERM; it drains)"
    stop_colour "$OLD_COLOUR"
    OLD_STOPPED_S=$(seconds_between "$LAUNCHED" "$(now_us)")
    watch_until end
    WATCH_SUMMARY=$(<"$SCRATCH/watch/summary")
    [[ $WATCH_SUMMARY != *judged=0 ]] || say "  fewer than $ANALYSIS_MIN_REQUESTS requests reached $NEW_COLOUR since the flip: ratios not judged"
    end_step
}

# watch_until PART: in the background, so that a rollback's SIGTERM interrupts `wait` and reaches the trap
# at once (bash runs traps only between commands); the trap stops it.
watch_until() {
    "$BIN" deploy-check watch "$NEW_COLOUR" --window "$SCRATCH/watch" --until "$1" 2>"$SCRATCH/watch.error" > >(say_lines) &
    WATCH_PID=$!
    wait "$WATCH_PID" && WATCH_PID="" && return
    ! stopped_instance "$NEW_COLOUR" || fail_deploy "$NEW_COLOUR stopped after the flip"
    fail_deploy "$(tail -n 1 "$SCRATCH/watch.error" | sed 's/^Error: //')"
}

# --- Commands
# read_active: the active colour is the old one; the other, the new one.
read_active() {
    [ -f "$UPSTREAM_FILE" ] || die "no upstream file at $UPSTREAM_FILE (CONCIERGE_DEPLOY_NGINX_UPSTREAM); on a new host, 'deploy.sh init' first"
    OLD_COLOUR=$(active_colour) || die "cannot tell the active colour: $UPSTREAM_FILE names an instance of neither blue ($BLUE_INSTANCES) nor green ($GREEN_INSTANCES)"
    NEW_COLOUR=$(other_colour "$OLD_COLOUR")
    OLD_VERSION=$(recorded_version "$OLD_COLOUR")
    OLD_BUILD=$(recorded_build "$OLD_COLOUR")
    cp "$UPSTREAM_FILE" "$SCRATCH/upstream.original"
}

command_up() {
    take_lock
    NEW_VERSION=$(resolve_version "$1")
    read_active
    [ -z "$GOLDEN_REQUESTS" ] || [ -r "$GOLDEN_REQUESTS" ] || die "cannot read CONCIERGE_DEPLOY_GOLDEN_REQUESTS=$GOLDEN_REQUESTS"
    local output flip_s total_s
    output=$(nginx_run -t 2>&1) || die "nginx's configuration is already invalid; fix it first. nginx -t said: $output"
    say "deploying $MODEL/$NEW_VERSION ($1) on $NEW_COLOUR; active: $OLD_COLOUR ($MODEL/${OLD_VERSION:-?})"
    ready_on "$OLD_COLOUR" "$OLD_VERSION" ||
        warn "the active colour $OLD_COLOUR is not all ready on $MODEL/${OLD_VERSION:-?}: no instant rollback, no overlap"
    open_deploy
    check_registries "$NEW_COLOUR" "$NEW_VERSION"
    bring_up "$NEW_COLOUR" "$NEW_VERSION" "$(readlink -f "$BIN")" 0
    check_golden
    point_nginx_at "$NEW_COLOUR" "$NEW_VERSION"
    flip_s=$(seconds_between "$LAUNCHED" "$(now_us)")
    watch_new_colour
    close_deploy
    total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION requested=$1 from=$OLD_COLOUR/${OLD_VERSION:-none}" \
        "outcome=ok ready_s=$READY_S flip_s=$flip_s old_stopped_s=$OLD_STOPPED_S $WATCH_SUMMARY total_s=$total_s"
    say "deployed $MODEL/$NEW_VERSION on $NEW_COLOUR: ready in $READY_S s, serving in $flip_s s," \
        "$OLD_COLOUR stopped at $OLD_STOPPED_S s (from the start of $NEW_COLOUR); $total_s s in all"
}

command_init() {
    take_lock
    if OLD_COLOUR=$(active_colour) && [ -n "$(health "$(instances "$OLD_COLOUR" | cut -d' ' -f1)")" ]; then
        die "$OLD_COLOUR already runs behind $UPSTREAM_FILE; use 'deploy.sh up'"
    fi
    NEW_VERSION=$(resolve_version "$1")
    NEW_COLOUR=blue
    OLD_COLOUR=none
    open_deploy
    check_registries "$NEW_COLOUR" "$NEW_VERSION"
    bring_up "$NEW_COLOUR" "$NEW_VERSION" "$(readlink -f "$BIN")" 0
    begin_step "point nginx at $NEW_COLOUR ($UPSTREAM_FILE, nginx -t, reload when nginx runs)"
    "$BIN" deploy-check upstream "$NEW_COLOUR" "$NEW_VERSION" >"$SCRATCH/upstream.new"
    install_upstream "$SCRATCH/upstream.new" 1 || fail_deploy "nginx -t rejects the configuration with the new upstream (previous file restored)"
    end_step
    close_deploy
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION requested=$1 outcome=ok total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")"
    say "$NEW_COLOUR serves $MODEL/$NEW_VERSION"
}

command_rollback() {
    open_lock
    flock -n "$LOCK_FD" || { rollback_running_deploy && return; }
    record_lock_owner
    read_active
    NEW_VERSION=$(recorded_version "$NEW_COLOUR")
    [ -n "$NEW_VERSION" ] || die "$NEW_COLOUR has never run here: nothing to roll back to"
    say "rolling back: $OLD_COLOUR ($MODEL/${OLD_VERSION:-?}) -> $NEW_COLOUR ($MODEL/$NEW_VERSION)"
    open_deploy
    if ready_on "$NEW_COLOUR" "$NEW_VERSION"; then
        say "$NEW_COLOUR is still running and ready: switching at once"
    else
        bring_up "$NEW_COLOUR" "$NEW_VERSION" "$(recorded_build "$NEW_COLOUR")" 1
    fi
    point_nginx_at "$NEW_COLOUR" "$NEW_VERSION"
    close_deploy
    stop_colour "$OLD_COLOUR"
    log_action "colour=$NEW_COLOUR version=$NEW_VERSION from=$OLD_COLOUR/${OLD_VERSION:-none} outcome=ok" \
        "total_s=$(seconds_between "$DEPLOY_STARTED" "$(now_us)")"
    say "rolled back: $NEW_COLOUR serves $MODEL/$NEW_VERSION"
}

# A deploy holds the lock: ask it to undo itself (its SIGTERM handler rolls back), then report.
rollback_running_deploy() {
    local pid
    pid=$(lock_owner_pid)
    if [ -z "$pid" ] || ! pid_alive "$pid"; then die "the deploy lock is held but its owner is unknown ($(lock_owner))"; fi
    say "a deploy is running ($(lock_owner)): asking it to roll back (SIGTERM to pid $pid)"
    kill -TERM "$pid"
    flock -w "$ROLLBACK_PATIENCE" "$LOCK_FD" || die "the deploy (pid $pid) has not finished its rollback after $ROLLBACK_PATIENCE s"
    say "the deploy has finished; state now: $(describe_state)"
}

command_stop() {
    local force=0
    if [ "${1:-}" = --force ]; then force=1 && shift; fi
    [ $# -eq 1 ] || die "usage: deploy.sh stop [--force] COLOUR"
    check_colour "$1"
    take_lock
    if [ "$(active_colour)" = "$1" ] && [ "$force" = 0 ]; then
        die "$1 is the active colour (nginx sends traffic to it): deploy or roll back first, or --force for an outage"
    fi
    stop_colour "$1"
    log_action "colour=$1 outcome=ok forced=$force"
}

command_status() {
    local colour instance running=() healthy=1 owner_pid
    for colour in blue green; do
        for instance in $(instances "$colour"); do
            ! instance_running "$colour" "$instance" || running+=(--running "$instance")
        done
    done
    "$BIN" deploy-check status "${running[@]}" || healthy=0
    if [ -f "$DEPLOY_LOG" ]; then say "  last: $(tail -n 1 "$DEPLOY_LOG")"; fi
    owner_pid=$(lock_owner_pid)
    if [ -n "$owner_pid" ] && pid_alive "$owner_pid" && ! flock -n "$LOCK_FILE" true 2>/dev/null; then
        say "  in progress: $(lock_owner)"
    fi
    [ "$healthy" = 1 ]
}

main() {
    [ $# -ge 1 ] || { usage >&2 && exit 2; }
    ACTION=$1
    ACTION_LINE="$*"
    shift
    [[ ! $ACTION =~ ^(help|-h|--help)$ ]] || { usage && exit 0; }
    load_settings
    trap on_exit EXIT
    case "$ACTION $#" in
        "up 1") command_up "$1" ;;
        "init 1") command_init "$1" ;;
        "rollback 0") command_rollback ;;
        "status 0") command_status ;;
        stop*) command_stop "$@" ;;
        up* | init* | rollback* | status*) die "usage: $(usage | grep -m 1 "deploy.sh $ACTION" | awk '{ print $1, $2, $3 }')" ;;
        *) usage >&2 && die "unknown command '$ACTION'" ;;
    esac
}

main "$@"
