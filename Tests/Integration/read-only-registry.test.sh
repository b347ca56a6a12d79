#!/usr/bin/env bash
# A registry on a read-only mount, as a container's `models/` volume mounted `:ro`: the registry commands
# that only read, and `serve`, work; the ones that write fail with a clear error. SQLite cannot create the
# `-shm` file a WAL reader needs there, which is what this guards. The mount is made in a private mount
# namespace (`unshare --mount`), so nothing outside the test sees it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test read-only-registry

if ! unshare --mount true 2>/dev/null; then
    log "SKIPPED: this machine does not allow a private mount namespace (unshare --mount), so no read-only mount"
    exit 0
fi
sample_registry "$TEST_DIR/data"
MODELS=$TEST_DIR/data/models
PORT=$(free_port)

# Everything below runs inside the namespace, where $MODELS is mounted read-only over itself.
cat >"$TEST_DIR/inside.sh" <<SCRIPT
set -u
mount --bind -o ro "$MODELS" "$MODELS" || exit 90
touch "$MODELS/probe" 2>/dev/null && exit 91
"$CONCIERGE_BIN" registry list --json --registry "$MODELS" >"$TEST_DIR/list.json" 2>&1 || exit 92
"$CONCIERGE_BIN" registry verify --registry "$MODELS" >"$TEST_DIR/verify.txt" 2>&1 || exit 93
"$CONCIERGE_BIN" registry promote roomservice 1 --alias staging --registry "$MODELS" >"$TEST_DIR/promote.txt" 2>&1 && exit 94
"$CONCIERGE_BIN" serve --host 127.0.0.1 --port $PORT --registry "$MODELS" --no-access-log >"$TEST_DIR/serve.log" 2>&1 &
server=\$!
for _ in \$(seq 300); do
    curl -fsS -o "$TEST_DIR/health.json" "http://127.0.0.1:$PORT/health" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o "$TEST_DIR/recommend.json" "http://127.0.0.1:$PORT/recommend?user=$(head -n 1 "$MODELS/roomservice/1/user_ids.txt")"
status=\$?
kill -TERM \$server
wait \$server
exit \$status
SCRIPT
outcome=0
unshare --mount bash "$TEST_DIR/inside.sh" || outcome=$?
check "the read-only mount was made and refuses writes" test "$outcome" -ne 90 -a "$outcome" -ne 91
check "registry list reads it" test "$(jq -r '.[0].aliases[0]' "$TEST_DIR/list.json")" = production
check "registry verify reads it" test "$outcome" -ne 93
check "registry promote fails, saying why" grep -qi "read" "$TEST_DIR/promote.txt"
check "serve gets ready" grep -q '"status":"ready"' "$TEST_DIR/health.json"
check "serve answers /recommend" grep -q '"items":\[{' "$TEST_DIR/recommend.json"
check "the whole run inside the namespace succeeded (exit $outcome)" test "$outcome" -eq 0
