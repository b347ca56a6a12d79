#!/usr/bin/env bash
# The repository's Dockerfile, built and run for real with podman (no daemon): the image trains a sample model
# into a volume, serves it from that volume mounted read-only on a published 127.0.0.1 port until its
# HEALTHCHECK says healthy, answers /health and /recommend, and drains and exits 0 on `podman stop`.
#
# No image registry is needed: both base images the Dockerfile takes as build arguments are made here.
# The runtime one is Debian bookworm from debootstrap (what debian:bookworm-slim is); the build one adds to it
# what the Swift toolchain runs with, and the toolchain this machine builds with is mounted into the build
# read-only, as are local git mirrors of Swift packages (git's url.<folder>.insteadOf rules). Podman keeps its
# images and layers under .build/container, so a second run builds nothing that has not changed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test container

for program in podman runc debootstrap jq; do
    command -v "$program" >/dev/null || fail_now "$program is not installed (make test-deps)"
done
SWIFT=$(command -v swift) || fail_now "no swift on PATH"
# The toolchain's own folder: /opt/swift for /opt/swift/usr/bin/swift.
TOOLCHAIN=$(dirname "$(dirname "$(dirname "$(readlink -f "$SWIFT")")")")
if [ "$TOOLCHAIN" = / ]; then
    log "SKIPPED: the Swift toolchain is installed into /usr, not in a folder of its own that a build can mount"
    exit 0
fi

CACHE=$REPO/.build/container
DEBIAN_MIRROR=${CONCIERGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
RUNTIME_BASE=localhost/concierge-test/debian:bookworm
SWIFT_BASE=localhost/concierge-test/swift:bookworm
IMAGE=localhost/concierge-test/concierge:latest
IMAGE_BUILD_STAGE=localhost/concierge-test/concierge-build:latest
# Container and volume names unique to this run, removed at exit.
NAME=concierge-test-${TEST_DIR##*-}
SERVER=$NAME-serve
TRAINER=$NAME-train
MODELS_VOLUME=$NAME-models

# Runs on a machine without systemd (cgroupfs, events to a file) whose hard limits podman may not raise:
# crun sets RLIMIT_NOFILE and fails there, runc with no default ulimits does not.
cat >"$TEST_DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
export CONTAINERS_CONF=$TEST_DIR/containers.conf
PODMAN=(podman --root "$CACHE/storage" --runroot "$CACHE/run" --tmpdir "$CACHE/libpod")

remove_podman_objects() {
    "${PODMAN[@]}" rm --force --time 0 "$SERVER" "$TRAINER" >/dev/null 2>&1 || true
    "${PODMAN[@]}" volume rm --force "$MODELS_VOLUME" >/dev/null 2>&1 || true
}
finish_container_test() {
    local status=$?
    remove_podman_objects
    (exit "$status")
    finish_test
}
trap finish_container_test EXIT

# timed SECONDS LOGFILE COMMAND...: runs COMMAND with a deadline, output to LOGFILE, and logs how long it took.
timed() {
    local seconds=$1 logfile=$2 started=$SECONDS
    shift 2
    if timeout "$seconds" "$@" >"$logfile" 2>&1; then
        log "$(basename "$logfile" .log): $((SECONDS - started)) s"
    else
        tail -n 30 "$logfile"
        fail_now "$(basename "$logfile" .log) failed or took more than $seconds s (log: $logfile)"
    fi
}

if ! "${PODMAN[@]}" image exists "$RUNTIME_BASE"; then
    timed 900 "$TEST_DIR/debootstrap.log" debootstrap --variant=minbase bookworm "$TEST_DIR/rootfs" "$DEBIAN_MIRROR"
    tar -C "$TEST_DIR/rootfs" -c . | timeout 300 "${PODMAN[@]}" import - "$RUNTIME_BASE" >"$TEST_DIR/import.log" 2>&1 ||
        fail_now "podman import of the debootstrap root failed (log: $TEST_DIR/import.log)"
    rm -rf "$TEST_DIR/rootfs"
fi

# What the toolchain's programs link (ldd) and what swift build runs: the C and C++ development files, the
# linker, git for swift package resolve.
mkdir -p "$TEST_DIR/swift-base"
cat >"$TEST_DIR/swift-base/Containerfile" <<CONTAINERFILE
FROM $RUNTIME_BASE
RUN apt-get update \\
    && apt-get install -y --no-install-recommends binutils libc6-dev libgcc-12-dev libstdc++-12-dev \\
        libcurl4 libxml2 libsqlite3-0 libncurses6 libedit2 zlib1g-dev git ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
ENV PATH=$TOOLCHAIN/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONTAINERFILE
timed 900 "$TEST_DIR/swift-base.log" \
    "${PODMAN[@]}" build --pull=never --network host --tag "$SWIFT_BASE" "$TEST_DIR/swift-base"

# How this machine reaches Swift packages without the network: git rules that rewrite GitHub to a local folder.
: >"$TEST_DIR/gitconfig"
package_mirrors=()
while read -r key value; do
    folder=${key#url.}
    folder=${folder%.insteadof}
    [ -d "$folder" ] || continue
    git config --file "$TEST_DIR/gitconfig" --add "$key" "$value"
    package_mirrors+=(--volume "$folder:$folder:ro")
done < <(git config --get-regexp '^url\..*\.insteadof$' || true)

# --format docker: an OCI image has no HEALTHCHECK.
IMAGE_BUILD=("${PODMAN[@]}" build --pull=never --network host --format docker
    --build-arg SWIFT_IMAGE="$SWIFT_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE"
    --volume "$TOOLCHAIN:$TOOLCHAIN:ro" --volume "$TEST_DIR/gitconfig:/etc/gitconfig:ro" "${package_mirrors[@]}")
# The build stage gets a tag of its own, so that pruning what earlier runs left behind keeps its layers: the
# cache that spares the next run the release build when the sources have not changed.
timed 2400 "$TEST_DIR/build-stage.log" "${IMAGE_BUILD[@]}" --target build --tag "$IMAGE_BUILD_STAGE" "$REPO"
timed 300 "$TEST_DIR/image.log" "${IMAGE_BUILD[@]}" --tag "$IMAGE" "$REPO"
timed 300 "$TEST_DIR/prune.log" "${PODMAN[@]}" image prune --force

# A small model trained by the image itself into a volume, as in CI's docker job: the orders and the store
# stay in the container's /tmp, since train makes a registry only in an empty folder.
"${PODMAN[@]}" volume create "$MODELS_VOLUME" >/dev/null
timed 300 "$TEST_DIR/train.log" "${PODMAN[@]}" run --rm --name "$TRAINER" --no-healthcheck \
    --volume "$MODELS_VOLUME:/models" --entrypoint /bin/sh "$IMAGE" -c \
    'concierge sample --out /tmp/orders.csv --guests 600 --seed 3 &&
    concierge ingest /tmp/orders.csv --store /tmp/store.sqlite &&
    concierge train --store /tmp/store.sqlite --registry /models --no-tune --factors 8 --iterations 5 --promote-if-better'

PORT=$(free_port)
timed 60 "$TEST_DIR/run.log" "${PODMAN[@]}" run --detach --name "$SERVER" --publish "127.0.0.1:$PORT:8080" \
    --env CONCIERGE_COLOR=green --volume "$MODELS_VOLUME:/models:ro" "$IMAGE"

# Without systemd nothing runs the HEALTHCHECK on its interval: run it until it passes (ready), as the
# timer would.
deadline=$((SECONDS + 120))
until timeout 10 "${PODMAN[@]}" healthcheck run "$SERVER" >"$TEST_DIR/healthcheck.log" 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ] || [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$SERVER")" != true ]; then
        "${PODMAN[@]}" logs "$SERVER" 2>&1 | tail -n 20
        fail_now "the HEALTHCHECK did not pass within 120 s: $(cat "$TEST_DIR/healthcheck.log")"
    fi
    sleep 1
done
check "the HEALTHCHECK reports healthy" \
    test "$("${PODMAN[@]}" inspect --format '{{.State.Health.Status}}' "$SERVER")" = healthy

# json_holds FILTER FILE: jq's FILTER is true of FILE.
json_holds() { jq -e "$1" "$2" >/dev/null; }

curl -sS --max-time 10 -o "$TEST_DIR/health.json" "http://127.0.0.1:$PORT/health" || true
check "/health on the published port says ready" json_holds '.status == "ready"' "$TEST_DIR/health.json"
status=$(curl -sS --max-time 10 -D "$TEST_DIR/recommend.headers" -o "$TEST_DIR/recommend.json" -w '%{http_code}' \
    "http://127.0.0.1:$PORT/recommend?k=3&hotel=1" || true)
check "/recommend?k=3&hotel=1 answers 200 (got $status)" test "$status" = 200
check "/recommend answers 3 items" json_holds '.items | length == 3' "$TEST_DIR/recommend.json"
check "the answer comes from the green instance" grep -qi '^x-concierge-color: green' "$TEST_DIR/recommend.headers"

timed 60 "$TEST_DIR/stop.log" "${PODMAN[@]}" stop --time 35 "$SERVER"
"${PODMAN[@]}" logs "$SERVER" >"$TEST_DIR/serve.log" 2>&1
check "podman stop sends SIGTERM, which serve drains on" grep -q 'received SIGTERM' "$TEST_DIR/serve.log"
check "serve exits 0" test "$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$SERVER")" = 0
