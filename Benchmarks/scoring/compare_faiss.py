"""Per-query top-k latency on one thread: Concierge's ScoringKernel (the scoring-compare binary),
faiss IndexFlatIP, and NumPy matvec + argpartition, on the same matrix and queries.

Rounds are interleaved (Swift, faiss, NumPy, Swift, ...) so that a noisy neighbour slows all three
alike; each round reports its median per-query time and the summary takes the median of rounds.
"""

import argparse
import os
import statistics
import subprocess
import time

import faiss
import numpy as np


def per_query_median_us(search, queries, passes):
    for query in queries:  # untimed warm-up pass
        search(query)
    times = []
    for _ in range(passes):
        for query in queries:
            start = time.perf_counter_ns()
            search(query)
            times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swift-binary", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--items", default="10000,100000")
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    faiss.omp_set_num_threads(1)
    print(f"faiss {faiss.__version__} ({faiss.get_compile_options().strip()}), numpy {np.__version__}, "
          f"{args.factors} factors, k={args.k}, {args.queries} queries × {args.passes} passes, "
          f"{args.rounds} interleaved rounds, one thread")
    rng = np.random.default_rng(1)
    for items in [int(n) for n in args.items.split(",")]:
        matrix = rng.uniform(-0.5, 0.5, (items, args.factors)).astype(np.float32)
        queries = rng.uniform(-0.5, 0.5, (args.queries, args.factors)).astype(np.float32)
        matrix_path = os.path.join(args.workdir, f"matrix-{items}.f32")
        queries_path = os.path.join(args.workdir, f"queries-{items}.f32")
        ids_path = os.path.join(args.workdir, f"swift-ids-{items}.i32")
        matrix.tofile(matrix_path)
        queries.tofile(queries_path)

        index = faiss.IndexFlatIP(args.factors)
        index.add(matrix)
        k = args.k

        def faiss_search(query):
            return index.search(query.reshape(1, -1), k)[1][0]

        def numpy_search(query):
            scores = matrix @ query
            top = np.argpartition(-scores, k)[:k]
            return top[np.argsort(-scores[top], kind="stable")]

        results = {"swift": [], "faiss": [], "numpy": []}
        for _ in range(args.rounds):
            output = subprocess.run(
                [args.swift_binary, matrix_path, queries_path, str(args.factors), str(k), str(args.passes), ids_path],
                check=True, capture_output=True, text=True).stdout
            results["swift"].append(float(output.strip()))
            results["faiss"].append(per_query_median_us(faiss_search, queries, args.passes))
            results["numpy"].append(per_query_median_us(numpy_search, queries, args.passes))

        # Same items from all three (as sets: float rounding may swap near-ties within the top k).
        swift_ids = np.fromfile(ids_path, dtype=np.int32).reshape(args.queries, k)
        agree_faiss = np.mean([len(set(swift_ids[q]) & set(faiss_search(queries[q]))) / k for q in range(args.queries)])
        agree_numpy = np.mean([len(set(swift_ids[q]) & set(numpy_search(queries[q]))) / k for q in range(args.queries)])

        medians = {name: statistics.median(values) for name, values in results.items()}
        print(f"\n{items} items × {args.factors} factors, top-{k}: median µs per query (rounds: min–max)")
        for name in ["swift", "faiss", "numpy"]:
            values = results[name]
            print(f"  {name:6} {medians[name]:9.1f}   ({min(values):.1f}–{max(values):.1f})")
        print(f"  faiss / swift = {medians['faiss'] / medians['swift']:.2f}×, "
              f"numpy / swift = {medians['numpy'] / medians['swift']:.2f}×  (above 1: Swift is faster)")
        print(f"  top-{k} overlap with Swift: faiss {agree_faiss:.3f}, numpy {agree_numpy:.3f}")


if __name__ == "__main__":
    main()
