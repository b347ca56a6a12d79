#!/usr/bin/env bash
# Per-query top-k latency of Concierge's scoring kernel against faiss IndexFlatIP and NumPy, on one
# thread, same matrix and queries, interleaved rounds. Extra arguments go to compare_faiss.py
# (--items 10000,100000 --factors 64 --k 10 --queries 100 --passes 3 --rounds 5).
set -euo pipefail
cd "$(dirname "$0")"

swift build -c release --product scoring-compare >&2
binary="$(swift build -c release --show-bin-path)/scoring-compare"

if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check faiss-cpu numpy

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# One thread everywhere; the machine's OpenBLAS tuning variables are dropped for Python only, so
# NumPy picks its own kernels for this CPU.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    .venv/bin/python compare_faiss.py --swift-binary "$binary" --workdir "$workdir" "$@"
