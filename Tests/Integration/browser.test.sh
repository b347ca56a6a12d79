#!/usr/bin/env bash
# A CRM page in a real browser calling Concierge from another origin (CORS) with an API key, and every status of
# CORS, API keys and the rate limit with curl, over HTTP/1.1 and HTTP/2.
#
# Debian's Chromium, headless, driven by selenium (venv .build/venv-browser): the page is served by
# `python3 -m http.server` from one loopback origin (allowed with --cors-origin) and from another (not allowed);
# Concierge listens on a third port. From the allowed origin the page's GET and JSON POST with Authorization
# work and it reads X-Request-Id and the identity headers; a missing or wrong key gives it a 401 it can read.
# From the other origin fetch rejects with TypeError although the server saw the request: the browser refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test browser

PYTHON=$REPO/.build/venv-browser/bin/python
[ -x "$PYTHON" ] || fail_now "selenium is not installed in .build/venv-browser (make test-deps)"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    fail_now "chromium and chromium-driver are not installed (make test-deps)"
fi

sample_registry "$TEST_DIR/data"
USER_ID=$(head -n 1 "$TEST_DIR/data/models/roomservice/1/user_ids.txt")
"$CONCIERGE_BIN" keys new --scopes recommend --name crm --token-file "$TEST_DIR/crm.token" >"$TEST_DIR/keys"
"$CONCIERGE_BIN" keys new --scopes metrics --name prometheus --token-file "$TEST_DIR/metrics.token" >>"$TEST_DIR/keys"
TOKEN=$(cat "$TEST_DIR/crm.token")

PAGE_PORT=$(free_port)
OTHER_PORT=$(free_port)
PORT=$(free_port)
PAGE=http://127.0.0.1:$PAGE_PORT
OTHER=http://127.0.0.1:$OTHER_PORT
BASE=http://127.0.0.1:$PORT
for port in "$PAGE_PORT" "$OTHER_PORT"; do
    start_process "$TEST_DIR/page-$port.log" python3 -m http.server --bind 127.0.0.1 \
        --directory "$INTEGRATION_DIR/browser" "$port"
done
start_process "$TEST_DIR/serve.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" \
    --registry "$TEST_DIR/data/models" --api-keys "$TEST_DIR/keys" --cors-origin "$PAGE"
SERVE_PID=$LAST_PID
wait_for_url "$BASE/health" || fail_now "serve did not get ready: $(cat "$TEST_DIR/serve.log")"
wait_for_url "$PAGE/index.html" || fail_now "the page server did not start"
wait_for_url "$OTHER/index.html" || fail_now "the other page server did not start"

# seen ORIGIN TOKEN|-: what the page served from ORIGIN saw of its calls, as JSON.
seen() {
    "$PYTHON" "$INTEGRATION_DIR/browser-check.py" "$1/index.html" "$BASE" "$2" "$USER_ID" 2>"$TEST_DIR/selenium.log" ||
        { cat "$TEST_DIR/selenium.log"; fail_now "the browser could not run the page"; }
}
# served LINE: how many access-log lines of Concierge start with LINE (method, path, status).
served() { grep -c -- "$1" "$TEST_DIR/serve.log" || true; }
expect_json() { jq -e "$2" <<<"$1" >/dev/null || { log "page saw: $1"; return 1; }; }
# lacks PATTERN TEXT: no line of TEXT matches PATTERN.
lacks() { ! grep -q -- "$1" <<<"$2"; }
# error_code URL: the code of the JSON error URL answers.
error_code() { curl -sS "$1" | jq -r .error.code; }

log "the allowed origin, with the key"
allowed=$(seen "$PAGE" "$TOKEN")
check "the page's GET reads 200 and the items" expect_json "$allowed" '.get.status == 200 and (.get.body.items | length) == 3'
check "the page's JSON POST with Authorization reads 200" expect_json "$allowed" '.post.status == 200 and .post.body.items != null'
check "the page reads X-Request-Id, X-Concierge-Model and X-Concierge-Color" expect_json "$allowed" \
    '(.post.requestId | length) > 0 and .post.model == "roomservice/1" and .post.color == "blue"'
check "the POST's preflight was answered 204" [ "$(served 'OPTIONS /recommend 204')" -ge 1 ]

log "the allowed origin, without a key and with a wrong one"
missing=$(seen "$PAGE" -)
check "without a key the page reads a 401 and its JSON error" expect_json "$missing" \
    '.get.status == 401 and .get.body.error.code == "unauthorized" and .post.status == 401'
wrong=$(seen "$PAGE" "ck_not-a-key")
check "with a wrong key the page reads a 401 invalid_token" expect_json "$wrong" \
    '.get.status == 401 and .get.body.error.code == "invalid_token" and .post.body.error.code == "invalid_token"'
check "/health stays open" expect_json "$missing" '.health.status == 200'

log "another origin"
health_before=$(served 'GET /health 200')
preflights_before=$(served 'OPTIONS /recommend')
other=$(seen "$OTHER" "$TOKEN")
check "fetch rejects with TypeError for the GET, the POST and /health" expect_json "$other" \
    '.get.error == "TypeError" and .post.error == "TypeError" and .health.error == "TypeError"'
check "yet the server answered /health: the browser refused the answer" \
    [ "$(served 'GET /health 200')" -gt "$health_before" ]
check "and the server saw the POST's preflight" [ "$(served 'OPTIONS /recommend')" -gt "$preflights_before" ]

log "every status with curl, HTTP/1.1 and HTTP/2"
# head_of CURL_ARGS...: the status line and the header lines of one answer, lower-cased.
head_of() { curl -sS -o /dev/null -D - "$@" | tr -d '\r' | tr '[:upper:]' '[:lower:]'; }
for version in --http1.1 --http2-prior-knowledge; do
    preflight=$(head_of "$version" -X OPTIONS -H "Origin: $PAGE" -H "Access-Control-Request-Method: POST" \
        -H "Access-Control-Request-Headers: authorization,content-type" "$BASE/recommend")
    check "$version: preflight 204" grep -q '^http/[0-9.]* 204' <<<"$preflight"
    for field in "access-control-allow-origin: $PAGE" "access-control-allow-methods: get, post" \
        "access-control-allow-headers: content-type, authorization, x-request-id" "access-control-max-age: 600" \
        "vary: origin"; do
        check "$version: preflight has $field" grep -qxF "$field" <<<"$preflight"
    done
    ok=$(head_of "$version" -H "Origin: $PAGE" -H "Authorization: Bearer $TOKEN" "$BASE/recommend?user=$USER_ID")
    check "$version: 200 with CORS headers" grep -q '^http/[0-9.]* 200' <<<"$ok"
    check "$version: answers expose the request id and identity headers" grep -qxF \
        "access-control-expose-headers: x-request-id, x-concierge-model, x-concierge-color" <<<"$ok"
    unauthorized=$(head_of "$version" -H "Origin: $PAGE" "$BASE/recommend?user=$USER_ID")
    check "$version: 401 with a challenge and CORS headers" grep -q '^http/[0-9.]* 401' <<<"$unauthorized"
    check "$version: WWW-Authenticate" grep -qxF 'www-authenticate: bearer realm="concierge"' <<<"$unauthorized"
    check "$version: a 401 to the page carries its origin" grep -qxF "access-control-allow-origin: $PAGE" <<<"$unauthorized"
    forbidden=$(head_of "$version" -H "Authorization: Bearer $TOKEN" "$BASE/model")
    check "$version: 403 for a missing scope" grep -q '^http/[0-9.]* 403' <<<"$forbidden"
    elsewhere=$(head_of "$version" -H "Origin: $OTHER" -H "Authorization: Bearer $TOKEN" "$BASE/recommend?user=$USER_ID")
    check "$version: no CORS headers for another origin" lacks "^access-control-" "$elsewhere"
done
check "the error body is JSON" [ "$(error_code "$BASE/model")" = unauthorized ]
metrics=$(curl -sS -H "Authorization: Bearer $(cat "$TEST_DIR/metrics.token")" "$BASE/metrics")
check "/metrics counts the failures by reason" grep -qE '^concierge_http_authentication_failures_total\{reason="unknown_key"\} [1-9]' <<<"$metrics"
check "no key is ever logged" lacks "$TOKEN\|ck_not-a-key" "$(cat "$TEST_DIR/serve.log")"
stop_process "$SERVE_PID"

log "the rate limit, per client address without keys"
start_process "$TEST_DIR/limited.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" \
    --registry "$TEST_DIR/data/models" --rate-limit 1/s --rate-burst 2 --no-access-log
wait_for_url "$BASE/health" || fail_now "serve did not get ready: $(cat "$TEST_DIR/limited.log")"
statuses=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' "$BASE/model"; done)
check "the third request in a burst of 2 gets 429 (saw: $statuses)" [ "$statuses" = "200 200 429 " ]
limited=$(head_of --http2-prior-knowledge "$BASE/model")
check "429 says when to retry" grep -qx 'retry-after: [0-9]*' <<<"$limited"
# /metrics is limited too: wait for the bucket to refill first.
sleep 2
check "/metrics counts it" grep -qE '^concierge_http_rate_limited_total [2-9]' <<<"$(curl -sS "$BASE/metrics")"

log "without the options nothing changes"
stop_process "$LAST_PID"
start_process "$TEST_DIR/plain.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" \
    --registry "$TEST_DIR/data/models" --no-access-log
wait_for_url "$BASE/health" || fail_now "serve did not get ready: $(cat "$TEST_DIR/plain.log")"
plain=$(head_of -X OPTIONS -H "Origin: $PAGE" -H "Access-Control-Request-Method: POST" "$BASE/recommend")
check "OPTIONS is 405" grep -q '^http/1.1 405' <<<"$plain"
check "with no CORS headers" lacks '^access-control-\|^vary:' "$plain"
check "/model needs no key" [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/model")" = 200 ]
