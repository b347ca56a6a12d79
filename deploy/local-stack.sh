#!/usr/bin/env bash
# A complete Concierge stack on loopback, for development, demos and tests: nginx on the public port in
# front of a blue instance serving the model's production alias, ready for `deploy.sh up`.
#
# Usage:
#   deploy/local-stack.sh up      nginx + blue, everything under CONCIERGE_DEPLOY_STATE_DIR
#   deploy/local-stack.sh env     the exports that point deploy.sh at this stack: eval "$(... env)"
#   deploy/local-stack.sh down    stops nginx and both colours (each by its PID file)
#
# Settings: deploy.sh's (CONCIERGE_DEPLOY_BIN, CONCIERGE_DEPLOY_REGISTRY, CONCIERGE_DEPLOY_MODEL, CONCIERGE_DEPLOY_BLUE_PORT,
# CONCIERGE_DEPLOY_GREEN_PORT, CONCIERGE_DEPLOY_STATE_DIR, ...) with development defaults, plus
#   CONCIERGE_DEPLOY_PUBLIC_PORT   nginx's port on 127.0.0.1 [8080]
#   CONCIERGE_DEPLOY_STATE_DIR     [.build/local-stack in the repository]
#   CONCIERGE_DEPLOY_BIN           [.build/release/concierge, else .build/debug/concierge]
#   CONCIERGE_DEPLOY_REGISTRY      [models in the repository]
#   CONCIERGE_DEPLOY_STACK_VERSION the version or alias blue starts on [production]
# The launcher is always `process`; nginx's files live in $CONCIERGE_DEPLOY_STATE_DIR/nginx.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY=$REPO/deploy/deploy.sh

default_binary() {
    if [ -x "$REPO/.build/release/concierge" ]; then echo "$REPO/.build/release/concierge"; else echo "$REPO/.build/debug/concierge"; fi
}

export CONCIERGE_DEPLOY_STATE_DIR=${CONCIERGE_DEPLOY_STATE_DIR:-$REPO/.build/local-stack}
export CONCIERGE_DEPLOY_BIN=${CONCIERGE_DEPLOY_BIN:-$(default_binary)}
export CONCIERGE_DEPLOY_REGISTRY=${CONCIERGE_DEPLOY_REGISTRY:-$REPO/models}
export CONCIERGE_DEPLOY_PUBLIC_PORT=${CONCIERGE_DEPLOY_PUBLIC_PORT:-8080}
export CONCIERGE_DEPLOY_LAUNCHER=process
export CONCIERGE_DEPLOY_NGINX_PREFIX=$CONCIERGE_DEPLOY_STATE_DIR/nginx
export CONCIERGE_DEPLOY_NGINX_CONF=$CONCIERGE_DEPLOY_NGINX_PREFIX/nginx.conf
export CONCIERGE_DEPLOY_NGINX_UPSTREAM=$CONCIERGE_DEPLOY_NGINX_PREFIX/upstream.conf
export CONCIERGE_DEPLOY_PUBLIC_URL=http://127.0.0.1:$CONCIERGE_DEPLOY_PUBLIC_PORT
STACK_VERSION=${CONCIERGE_DEPLOY_STACK_VERSION:-production}
NGINX_DIR=$CONCIERGE_DEPLOY_NGINX_PREFIX

say() { printf '[local-stack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

nginx_pid() { cat "$NGINX_DIR/nginx.pid" 2>/dev/null || true; }
nginx_running() {
    local pid
    pid=$(nginx_pid)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stack_up() {
    [[ $CONCIERGE_DEPLOY_PUBLIC_PORT =~ ^[0-9]+$ ]] || die "CONCIERGE_DEPLOY_PUBLIC_PORT must be a port number, not '$CONCIERGE_DEPLOY_PUBLIC_PORT'"
    command -v nginx >/dev/null || die "nginx is not installed (Debian: nginx-light)"
    [ -x "$CONCIERGE_DEPLOY_BIN" ] || die "no concierge binary at $CONCIERGE_DEPLOY_BIN (make release, or set CONCIERGE_DEPLOY_BIN)"
    ! nginx_running || die "the stack under $CONCIERGE_DEPLOY_STATE_DIR is already up (nginx pid $(nginx_pid)); 'down' first"
    ! port_in_use "$CONCIERGE_DEPLOY_PUBLIC_PORT" || die "port $CONCIERGE_DEPLOY_PUBLIC_PORT is in use; set CONCIERGE_DEPLOY_PUBLIC_PORT"

    say "nginx configuration in $NGINX_DIR (from $REPO/nginx, listening on 127.0.0.1:$CONCIERGE_DEPLOY_PUBLIC_PORT)"
    mkdir -p "$NGINX_DIR"
    cp "$REPO/nginx/concierge-http.conf" "$REPO/nginx/concierge-locations.conf" "$NGINX_DIR/"
    sed "s/^\([[:space:]]*listen 127\.0\.0\.1:\)8080;/\1$CONCIERGE_DEPLOY_PUBLIC_PORT;/" "$REPO/nginx/nginx.conf" >"$NGINX_DIR/nginx.conf"
    grep -q "listen 127.0.0.1:$CONCIERGE_DEPLOY_PUBLIC_PORT;" "$NGINX_DIR/nginx.conf" ||
        die "could not set the port in $NGINX_DIR/nginx.conf: its listen line is not 'listen 127.0.0.1:8080;'"

    "$DEPLOY" init "$STACK_VERSION"

    say "starting nginx"
    nginx -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
    local deadline=$((SECONDS + 10))
    until curl -fsS -o /dev/null "$CONCIERGE_DEPLOY_PUBLIC_URL/health" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || die "nginx on $CONCIERGE_DEPLOY_PUBLIC_URL does not answer /health; see $NGINX_DIR/error.log"
        sleep 0.1
    done
    "$DEPLOY" status
    say "up: $CONCIERGE_DEPLOY_PUBLIC_URL (nginx pid $(nginx_pid)). Deploy with:"
    say "  eval \"\$($0 env)\"; deploy/deploy.sh up VERSION"
}

stack_down() {
    if nginx_running; then
        local pid
        pid=$(nginx_pid)
        nginx -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" -s quit 2>/dev/null || kill -TERM "$pid"
        local deadline=$((SECONDS + 35))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
        say "nginx stopped"
    fi
    local colour
    for colour in blue green; do
        "$DEPLOY" stop --force "$colour"
    done
}

stack_env() {
    local name
    for name in CONCIERGE_DEPLOY_STATE_DIR CONCIERGE_DEPLOY_BIN CONCIERGE_DEPLOY_REGISTRY CONCIERGE_DEPLOY_LAUNCHER CONCIERGE_DEPLOY_NGINX_PREFIX \
        CONCIERGE_DEPLOY_NGINX_CONF CONCIERGE_DEPLOY_NGINX_UPSTREAM CONCIERGE_DEPLOY_PUBLIC_URL CONCIERGE_DEPLOY_PUBLIC_PORT; do
        printf 'export %s=%q\n' "$name" "${!name}"
    done
}

case ${1:-} in
    up) stack_up ;;
    down) stack_down ;;
    env) stack_env ;;
    *)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
