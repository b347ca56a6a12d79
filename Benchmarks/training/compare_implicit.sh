#!/usr/bin/env bash
# Trains ConciergeModel and implicit 0.7 on the same planted MovieLens-100K-sized matrix and
# split, with the same hyper-parameters, and prints training time and ranking metrics
# (each model scored by both implicit.evaluation and ConciergeModel's RankingMetrics).
#
#   Benchmarks/training/compare_implicit.sh [RUNS]      (default 3 runs; the median is reported)
#
# Hyper-parameters are overridable by environment: FACTORS REGULARIZATION ALPHA ITERATIONS
# CG_STEPS THREADS SEED NEIGHBOURS. Output goes to Benchmarks/training/data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${1:-3}"
DATA="$PWD/data"
VENV="$PWD/.venv"

if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import implicit, threadpoolctl, scipy" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "implicit==0.7.*" numpy scipy threadpoolctl
fi

swift build -c release --product concierge-training-bench 2>&1 | tail -1
BENCH="$(swift build -c release --show-bin-path)/concierge-training-bench"

mkdir -p "$DATA"
cat > "$DATA/hyper.json" <<JSON
{"factors": ${FACTORS:-64}, "regularization": ${REGULARIZATION:-1.0}, "alpha": ${ALPHA:-2.0},
 "iterations": ${ITERATIONS:-15}, "cg_steps": ${CG_STEPS:-3}, "threads": ${THREADS:-2},
 "seed": ${SEED:-1}, "k": 10, "neighbours": ${NEIGHBOURS:-20}, "test_fraction": 0.2}
JSON

# This machine sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for an old OpenBLAS; numpy's and
# scipy's own OpenBLAS pick the best kernels for the CPU when they are unset.
PY=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" -W ignore compare_implicit.py)

"${PY[@]}" generate --data "$DATA"
"$BENCH" split --data "$DATA"
"${PY[@]}" implicit --data "$DATA" --runs "$RUNS" --bench "$BENCH"
"$BENCH" train --data "$DATA" --runs "$RUNS"
"${PY[@]}" report --data "$DATA" --runs "$RUNS"
echo
"${PY[@]}" same-start --data "$DATA"
"$BENCH" same-start --data "$DATA"
echo
"$BENCH" kernels
