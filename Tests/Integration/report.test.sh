#!/usr/bin/env bash
# The page of a training run, opened in a real browser: `train --report` and `registry report` write the same
# self-contained page, headless Chromium renders it with no console message above INFO, and its charts carry what
# `registry show --json` and `registry list --json` say (Tests/Integration/report-check.py, through selenium and
# chromedriver, from the venv `make test-deps` makes). A copy of the page that loads something from the network
# must fail the same check, so a silent console cannot pass for a clean one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test report

BROWSER_PYTHON=$REPO/.build/venv-browser/bin/python
[ -x "$BROWSER_PYTHON" ] || fail_now "no $BROWSER_PYTHON with selenium (make test-deps)"
command -v chromedriver >/dev/null || fail_now "no chromedriver (make test-deps installs chromium-driver)"

DATA=$TEST_DIR/data
MODELS=$DATA/models
sample_registry "$DATA"
log "a second version, with its page written by train"
"$CONCIERGE_BIN" train --store "$DATA/store.sqlite" --registry "$MODELS" --no-tune --factors 8 --iterations 6 \
    --seed 7 --report "$TEST_DIR/train.html" >"$TEST_DIR/train.log" 2>&1 || { cat "$TEST_DIR/train.log"; fail_now "train failed"; }
"$CONCIERGE_BIN" registry report roomservice --registry "$MODELS" --out "$TEST_DIR/latest.html" >/dev/null
"$CONCIERGE_BIN" registry report roomservice 1 --registry "$MODELS" --out "$TEST_DIR/first.html" >/dev/null
"$CONCIERGE_BIN" registry list roomservice --registry "$MODELS" --json >"$TEST_DIR/list.json"
"$CONCIERGE_BIN" registry show roomservice 2 --registry "$MODELS" --json >"$TEST_DIR/show-2.json"
"$CONCIERGE_BIN" registry show roomservice 1 --registry "$MODELS" --json >"$TEST_DIR/show-1.json"

check "train --report and registry report write the same page" cmp -s "$TEST_DIR/train.html" "$TEST_DIR/latest.html"
check "the page asks for nothing outside itself" \
    bash -c "! grep -Eio '(src|href)=\"[^\"]*\"|<script|@import|url\\(' '$TEST_DIR/latest.html'"
QUARANTINED=$(sed -n 's/^.*orders.csv: read .*, quarantined \([0-9]*\),.*/\1/p' "$DATA/sample.log")
check "the page records the $QUARANTINED rows ingest quarantined" \
    grep -q "Rows quarantined by ingest</td><td>${QUARANTINED:-none}</td>" "$TEST_DIR/latest.html"
check "version 2's page renders cleanly in Chromium and its charts carry the registry's figures" \
    "$BROWSER_PYTHON" "$INTEGRATION_DIR/report-check.py" "$TEST_DIR/latest.html" "$TEST_DIR/show-2.json" \
    "$TEST_DIR/list.json" "$TEST_DIR/latest.png"
check "version 1's page too, with only itself in its history" \
    "$BROWSER_PYTHON" "$INTEGRATION_DIR/report-check.py" "$TEST_DIR/first.html" "$TEST_DIR/show-1.json" \
    "$TEST_DIR/list.json" "$TEST_DIR/first.png"
check "the screenshot is a PNG" bash -c "[ \"\$(head -c 4 '$TEST_DIR/latest.png' | tail -c 3)\" = PNG ]"

sed 's|<body>|<body><img alt="" src="http://127.0.0.1:9/beacon.png">|' "$TEST_DIR/latest.html" >"$TEST_DIR/leaky.html"
"$BROWSER_PYTHON" "$INTEGRATION_DIR/report-check.py" "$TEST_DIR/leaky.html" "$TEST_DIR/show-2.json" \
    "$TEST_DIR/list.json" "$TEST_DIR/leaky.png" >"$TEST_DIR/leaky.txt" 2>&1 && leaky=passed || leaky=failed
check "a page that reaches for the network fails the check on its console" \
    bash -c "[ $leaky = failed ] && grep -q '^console' '$TEST_DIR/leaky.txt'"
