#!/usr/bin/env bash
# `concierge train --engine spark` in Spark's local mode, end to end: sample → ingest → train natively and on
# Spark (same data, seed and settings) → serve the Spark version → /recommend. The Spark version must say so
# in /model and `registry show`, and its holdout MAP@10 be within 10% of native ALS's. Then the failures:
# no Java, no spark-submit, a job that fails, each with its message, and the registry as it was.
# The data is small and the grid off (--no-tune), so the two Spark applications take about a minute.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test spark

SPARK_BIN=$REPO/.build/venv-pyspark/bin
[ -x "$SPARK_BIN/spark-submit" ] || fail_now "pyspark is not installed in .build/venv-pyspark (make test-deps)"
export CONCIERGE_SPARK_SUBMIT=$SPARK_BIN/spark-submit
# Spark's driver binds where SPARK_LOCAL_IP says: loopback only.
export SPARK_LOCAL_IP=127.0.0.1
# Spark's work folders (kept when a job fails) go to the scratch folder, removed with it.
export TMPDIR=$TEST_DIR
DATA=$TEST_DIR/data
MODELS=$TEST_DIR/models
mkdir -p "$DATA"
"$CONCIERGE_BIN" sample --out "$DATA/orders.csv" --guests 2000 --seed 7 >"$DATA/sample.log" 2>&1 ||
    fail_now "sample failed: $(cat "$DATA/sample.log")"
"$CONCIERGE_BIN" ingest "$DATA/orders.csv" --store "$DATA/store.sqlite" >"$DATA/ingest.log" 2>&1 ||
    fail_now "ingest failed: $(cat "$DATA/ingest.log")"

SETTINGS=(--store "$DATA/store.sqlite" --no-tune --factors 16 --iterations 10 --seed 5)
SPARK=(--engine spark --spark-master "local[2]" --spark-job "$REPO/spark/train_als.py")
"$CONCIERGE_BIN" train "${SETTINGS[@]}" --registry "$TEST_DIR/native" >"$TEST_DIR/native.log" 2>&1 ||
    fail_now "native training failed: $(cat "$TEST_DIR/native.log")"
log "training on Spark (local[2])"
started=$SECONDS
"$CONCIERGE_BIN" train "${SETTINGS[@]}" "${SPARK[@]}" --registry "$MODELS" --promote-if-better \
    >"$TEST_DIR/spark.log" 2>&1 || fail_now "Spark training failed: $(cat "$TEST_DIR/spark.log")"
log "trained on Spark in $((SECONDS - started)) s"
check "the Spark run chose Spark's ALS" grep -q "^chosen: spark-als" "$TEST_DIR/spark.log"

"$CONCIERGE_BIN" registry show roomservice 1 --registry "$MODELS" >"$TEST_DIR/show.txt"
check "registry show names the engine, its version and master" \
    grep -qE '^  engine +spark [0-9]+\.[0-9]+\.[0-9]+ local\[2\]$' "$TEST_DIR/show.txt"
check "registry show lists Spark's own parameter names" grep -q "spark.regParam=" "$TEST_DIR/show.txt"
NATIVE_MAP=$(jq '.metrics["map@10"]' "$TEST_DIR/native/roomservice/1/manifest.json")
SPARK_MAP=$(jq '.metrics["map@10"]' "$MODELS/roomservice/1/manifest.json")
log "holdout MAP@10: native $NATIVE_MAP, Spark $SPARK_MAP"
check "Spark's holdout MAP@10 is within 10% of native ALS's" \
    python3 -c "import sys; native, spark = map(float, sys.argv[1:]); sys.exit(abs(spark - native) > 0.1 * native)" \
    "$NATIVE_MAP" "$SPARK_MAP"

PORT=$(free_port)
start_process "$TEST_DIR/serve.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$PORT" --registry "$MODELS" \
    --no-access-log
wait_for_url "http://127.0.0.1:$PORT/health" 60 || fail_now "serve did not get ready: $(cat "$TEST_DIR/serve.log")"
curl -fsS "http://127.0.0.1:$PORT/model" >"$TEST_DIR/model.json"
# json_holds FILE FILTER: FILE's JSON satisfies jq's FILTER.
json_holds() { jq -e "$2" "$1" >/dev/null; }
check "/model says the version was trained on Spark" json_holds "$TEST_DIR/model.json" \
    '.hyper_parameters.engine == "spark" and .hyper_parameters["spark.master"] == "local[2]"'
GUEST=$(head -n 1 "$MODELS/roomservice/1/user_ids.txt")
curl -fsS "http://127.0.0.1:$PORT/recommend?user=$GUEST&k=5" >"$TEST_DIR/recommend.json"
check "/recommend answers from the Spark version" json_holds "$TEST_DIR/recommend.json" '(.items | length) == 5'
stop_all

# The failures: each before or during training, so the registry must stay byte for byte as it was.
sha256sum "$MODELS"/registry.sqlite* >"$TEST_DIR/registry-before.txt"
expect_failure() {
    local name=$1 pattern=$2; shift 2
    if "$@" >"$TEST_DIR/$name.txt" 2>&1; then
        check "$name: train fails" false
    else
        check "$name: train fails, saying what to do" grep -q "$pattern" "$TEST_DIR/$name.txt"
    fi
}
expect_failure no-java "openjdk-17-jre-headless" \
    env JAVA_HOME="$TEST_DIR/no-java" "$CONCIERGE_BIN" train "${SETTINGS[@]}" "${SPARK[@]}" --registry "$MODELS"
expect_failure no-spark-submit "pip install pyspark" \
    env CONCIERGE_SPARK_SUBMIT="$TEST_DIR/no-spark/spark-submit" "$CONCIERGE_BIN" train "${SETTINGS[@]}" \
    "${SPARK[@]}" --registry "$MODELS"
expect_failure job-fails "its log is " \
    "$CONCIERGE_BIN" train "${SETTINGS[@]}" --engine spark --spark-master "no-such-master://" \
    --spark-job "$REPO/spark/train_als.py" --registry "$MODELS"
JOB_LOG=$(grep -o "its log is [^;]*spark.log" "$TEST_DIR/job-fails.txt" | sed 's/its log is //')
check "the failed job's log is where the message says" test -s "$JOB_LOG"
sha256sum "$MODELS"/registry.sqlite* >"$TEST_DIR/registry-after.txt"
check "the failures left the registry as it was" cmp -s "$TEST_DIR/registry-before.txt" "$TEST_DIR/registry-after.txt"
check "the failures published no version" test ! -e "$MODELS/roomservice/2"
