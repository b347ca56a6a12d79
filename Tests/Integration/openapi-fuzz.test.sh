#!/usr/bin/env bash
# Schemathesis against `concierge serve`, driven by docs/openapi.yaml: requests the spec calls valid must be
# answered as it says, and requests it calls invalid must be refused, with every check of schemathesis on.
# Bounded by examples per operation and by time, on a loopback port, with a sample model whose real ids
# (guests, hotels, items) the generator mixes into its random ones, so that requests get past "unknown".
# Positive requests may still get 400 on /recommend for what the model lacks (unknown_hotel, a cold start
# without a hotel); openapi-fuzz-checks.py refuses every other 400 code there.
# The server runs with API keys and CORS on, and schemathesis presents a key holding every scope; a preflight from
# the origins it makes up is not a CORS one, so OPTIONS may answer 405 as well as 204.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test openapi-fuzz

SCHEMATHESIS=$REPO/.build/venv-schemathesis/bin/schemathesis
[ -x "$SCHEMATHESIS" ] || fail_now "schemathesis is not installed in .build/venv-schemathesis (make test-deps)"
EXAMPLES=${OPENAPI_FUZZ_EXAMPLES:-300}
SECONDS_BUDGET=${OPENAPI_FUZZ_SECONDS:-300}

sample_registry "$TEST_DIR/data"
VERSION=$TEST_DIR/data/models/roomservice/1
# Schemathesis reads a dictionary file as one JSON string a line.
for ids in user hotel item; do
    sed 's/.*/"&"/' "$VERSION/${ids}_ids.txt" >"$TEST_DIR/${ids}s.txt"
done
cat >"$TEST_DIR/schemathesis.toml" <<CONFIG
hooks = "$INTEGRATION_DIR/openapi-fuzz-checks.py"

[dictionaries]
users = { from-file = "$TEST_DIR/users.txt" }
hotels = { from-file = "$TEST_DIR/hotels.txt" }
items = { from-file = "$TEST_DIR/items.txt" }

[parameters]
"query.user" = { dictionary = "users", probability = 0.8 }
"query.hotel" = { dictionary = "hotels", probability = 0.8 }
"query.recent" = { dictionary = "items", probability = 0.5 }
"query.item" = { dictionary = "items", probability = 0.8 }
"body.user" = { dictionary = "users", probability = 0.8 }
"body.hotel" = { dictionary = "hotels", probability = 0.8 }
"body.recent[*]" = { dictionary = "items", probability = 0.5 }

[[operations]]
include-path = "/recommend"
exclude-method = "OPTIONS"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

[[operations]]
include-method = "OPTIONS"
checks.positive_data_acceptance.expected-statuses = ["204", "405"]
CONFIG
"$CONCIERGE_BIN" keys new --scopes recommend,model,metrics --name fuzz --token-file "$TEST_DIR/token" >"$TEST_DIR/keys"

PORT=$(free_port)
start_process "$TEST_DIR/serve.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" \
    --registry "$TEST_DIR/data/models" --no-access-log --api-keys "$TEST_DIR/keys" --cors-origin http://127.0.0.1:8000
wait_for_url "http://127.0.0.1:$PORT/health" || fail_now "serve did not get ready: $(cat "$TEST_DIR/serve.log")"

log "schemathesis $("$SCHEMATHESIS" --version | sed 's/.*version //'): $EXAMPLES examples per operation, at most $SECONDS_BUDGET s"
# `timeout` bounds the time: schemathesis's own --max-time would keep fuzzing until the budget is spent.
# Run from $TEST_DIR, where schemathesis keeps the examples it found.
run_schemathesis() {
    (cd "$TEST_DIR" && timeout --kill-after=10 "$SECONDS_BUDGET" "$SCHEMATHESIS" \
        --config-file "$TEST_DIR/schemathesis.toml" run "$REPO/docs/openapi.yaml" --url "http://127.0.0.1:$PORT" \
        --checks all --max-examples "$EXAMPLES" --workers 1 --no-color \
        --header "Authorization: Bearer $(cat "$TEST_DIR/token")") >"$TEST_DIR/schemathesis.txt" 2>&1
}
if run_schemathesis; then
    log "ok: $(grep -E '[0-9]+ generated' "$TEST_DIR/schemathesis.txt" | sed 's/^ *//'), $(grep -E '^Seed:' "$TEST_DIR/schemathesis.txt")"
else
    sed -n '/FAILURES\|ERRORS/,$p' "$TEST_DIR/schemathesis.txt"
    fail_now "schemathesis found failures (the whole report: $TEST_DIR/schemathesis.txt)"
fi
check "serve is still running" kill -0 "$LAST_PID"
