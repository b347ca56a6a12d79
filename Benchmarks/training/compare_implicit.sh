#!/usr/bin/env bash
# Trains ConciergeModel and implicit 0.7 on three data sets — a MovieLens-100K-sized planted
# matrix, MovieLens 100K itself (real ratings as implicit feedback, from RecBole's wheel on PyPI)
# and the guest × item matrix of `concierge sample --guests 20000 --seed 1` — and reports
# training wall time and precision@10 / MAP@10 / NDCG@10 as implicit.evaluation computes them:
# ALS and item-item at equal hyper-parameters, and the product's tuned, selected model against
# implicit's ALS (tuned on the same grid, and at the settings the selection chose), implicit's
# cosine item-item and popularity.
#
#   Benchmarks/training/compare_implicit.sh [RUNS]   (default 10 runs: medians of the times, means
#                                                      and standard deviations over the seeds)
#
# The equal-hyper-parameter settings are overridable by environment: FACTORS REGULARIZATION ALPHA
# ITERATIONS CG_STEPS THREADS SEED NEIGHBOURS; GUESTS sets the sample's size; CONCIERGE names a
# built `concierge` binary to use instead of building the root package's. Output goes to
# Benchmarks/training/data/ (git-ignored); the report is data/report.md.
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${1:-10}"
ROOT="$(cd ../.. && pwd)"
DATA="$PWD/data"
VENV="$PWD/.venv"
SETS=(planted movielens sample)
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

COMMAND="Benchmarks/training/compare_implicit.sh $RUNS"
for name in FACTORS REGULARIZATION ALPHA ITERATIONS CG_STEPS THREADS SEED NEIGHBOURS GUESTS CONCIERGE; do
    if [[ -n "${!name:-}" ]]; then COMMAND="$name=${!name} $COMMAND"; fi
done

if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import implicit, threadpoolctl, scipy" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "implicit==0.7.*" numpy scipy threadpoolctl
fi

swift build -c release --product concierge-training-bench 2>&1 | tail -1
BENCH="$(swift build -c release --show-bin-path)/concierge-training-bench"
# The command line, for the sample data and to check the selection against `concierge train`
# (CONCIERGE=path uses a binary built already, e.g. while the root package is being edited).
if [[ -z "${CONCIERGE:-}" ]]; then
    (cd "$ROOT" && swift build -c release --product concierge 2>&1 | tail -1)
    CONCIERGE="$(cd "$ROOT" && swift build -c release --show-bin-path)/concierge"
fi

# This machine sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for an old OpenBLAS; numpy's and
# scipy's own OpenBLAS pick the best kernels for the CPU when they are unset.
PY=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" -W ignore compare_implicit.py)

for set in "${SETS[@]}"; do
    rm -rf "${DATA:?}/$set"
    mkdir -p "$DATA/$set"
    cat > "$DATA/$set/hyper.json" <<JSON
{"factors": ${FACTORS:-64}, "regularization": ${REGULARIZATION:-1.0}, "alpha": ${ALPHA:-2.0},
 "iterations": ${ITERATIONS:-15}, "cg_steps": ${CG_STEPS:-3}, "threads": ${THREADS:-2},
 "seed": ${SEED:-1}, "k": 10, "neighbours": ${NEIGHBOURS:-50}}
JSON
done

echo "== data sets"
"${PY[@]}" generate --data "$DATA/planted"
# MovieLens 100K as RecBole's wheel carries it: the one public copy on PyPI, which this machine reaches.
if ! compgen -G "$DATA/downloads/recbole-*.whl" > /dev/null; then
    "$VENV/bin/pip" download --quiet --no-deps "recbole==1.2.1" --dest "$DATA/downloads"
fi
"${PY[@]}" movielens --wheel "$(compgen -G "$DATA/downloads/recbole-*.whl" | head -1)" --data "$DATA/movielens"
SAMPLE="$DATA/sample"
"$CONCIERGE" sample --guests "${GUESTS:-20000}" --seed 1 --out "$SAMPLE/orders.csv" | head -2
"$CONCIERGE" ingest "$SAMPLE/orders.csv" --store "$SAMPLE/store.sqlite" > "$SAMPLE/ingest.log"
"${PY[@]}" from-store --store "$SAMPLE/store.sqlite" --data "$SAMPLE"
# The product's own training on the same store, to check the benchmark's run of its selection.
"$CONCIERGE" train --store "$SAMPLE/store.sqlite" --registry "$SAMPLE/registry" > "$SAMPLE/concierge-train.log" 2>&1
grep -A4 '^chosen:' "$SAMPLE/concierge-train.log"

echo "== splits and Concierge's model selection"
for set in "${SETS[@]}"; do
    "$BENCH" split --data "$DATA/$set"
    "$BENCH" select --data "$DATA/$set" --scope catalogue
done
"$BENCH" select --data "$SAMPLE" --scope hotel

# The hidden check's path: the data set's training part as an order export, then `concierge ingest`, `concierge
# train` (defaults) and `concierge serve`, asked through /recommend for every test guest on 127.0.0.1.
SERVER_PID=""
stop_server() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
trap stop_server EXIT
through_http() {
    local dir="$DATA/$1" port=$((20000 + RANDOM % 20000))
    rm -rf "$dir/http"
    mkdir -p "$dir/http"
    "${PY[@]}" export-orders --data "$dir" --out "$dir/http/orders.csv"
    "$CONCIERGE" ingest "$dir/http/orders.csv" --store "$dir/http/store.sqlite" > "$dir/http/ingest.log"
    "$CONCIERGE" train --store "$dir/http/store.sqlite" --registry "$dir/http/registry" > "$dir/http/train.log" 2>&1
    "$CONCIERGE" serve --host 127.0.0.1 --port "$port" --registry "$dir/http/registry" --version 1 --no-access-log \
        > "$dir/http/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.1; done
    "${PY[@]}" through-http --data "$dir" --url "http://127.0.0.1:$port" --train-log "$dir/http/train.log"
    stop_server
}
echo "== export → ingest → concierge train → serve → /recommend"
for set in planted movielens; do through_http "$set"; done

echo "== the timed run ($RUNS runs, both libraries interleaved; load average $(cut -d' ' -f1-3 /proc/loadavg))"
"${PY[@]}" compare --data "$DATA" --sets "${SETS[@]}" --runs "$RUNS" --bench "$BENCH"

echo "== scoring every model with implicit.evaluation and with RankingMetrics"
for set in "${SETS[@]}"; do
    scopes=(catalogue)
    if [[ -f "$DATA/$set/hotels.json" ]]; then scopes+=(hotel); fi
    for scope in "${scopes[@]}"; do
        "${PY[@]}" evaluate --data "$DATA/$set" --scope "$scope"
        "$BENCH" evaluate --data "$DATA/$set" --scope "$scope"
    done
done

echo
"${PY[@]}" report --data "$DATA" --sets "${SETS[@]}" --invocation "$COMMAND" --load-at-start "$LOAD_AT_START"
echo
"${PY[@]}" same-start --data "$DATA/planted"
"$BENCH" same-start --data "$DATA/planted"
echo
"$BENCH" kernels
