"""Concierge's ConciergeModel against the Python library implicit, on one planted matrix.

Steps (compare_implicit.sh runs them in this order):
  generate  a MovieLens-100K-sized planted guests x items matrix -> interactions.csv
  (Swift)   split it per guest -> train.csv, test.csv
  implicit  train implicit's ALS (CG), CosineRecommender and a popularity baseline, time them,
            evaluate them with implicit.evaluation, write implicit's factors for the Swift side
  (Swift)   train ours, evaluate ours and implicit's factors with our RankingMetrics
  same-start  implicit's ALS from initial factors that the Swift side then starts from too
  report    evaluate our factors, neighbour lists and popularity with implicit.evaluation and
            print one table of everything
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp


def write_triples(path, matrix):
    coo = matrix.tocoo()
    order = np.lexsort((coo.col, coo.row))
    with open(path, "w") as out:
        out.write("user,item,value\n")
        for r, c, v in zip(coo.row[order], coo.col[order], coo.data[order]):
            out.write(f"{r},{c},{v:g}\n")


def read_triples(path, shape):
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    if data.size == 0:
        return sp.csr_matrix(shape, dtype=np.float32)
    return sp.csr_matrix(
        (data[:, 2].astype(np.float32), (data[:, 0].astype(np.int32), data[:, 1].astype(np.int32))),
        shape=shape,
    )


def read_factors(path):
    """Row-major float32 with an int64 rows, columns header (the Swift side's format)."""
    with open(path, "rb") as f:
        rows, columns = np.frombuffer(f.read(16), dtype="<i8")
        return np.frombuffer(f.read(), dtype="<f4").reshape(rows, columns).copy()


def write_factors(path, matrix):
    matrix = np.ascontiguousarray(matrix, dtype="<f4")
    with open(path, "wb") as f:
        f.write(np.array(matrix.shape, dtype="<i8").tobytes())
        f.write(matrix.tobytes())


def generate(args):
    """Guests in latent taste groups ordering mostly from their group's items, with a
    log-normal item popularity (a long tail, as in MovieLens) and a log-normal number of
    items per guest (at least 20, as MovieLens keeps only users with 20 ratings)."""
    rng = np.random.default_rng(args.seed)
    users, items, groups = args.users, args.items, args.groups
    popularity = np.exp(rng.normal(0.0, 1.5, items))
    item_group = rng.integers(0, groups, items)
    user_group = rng.integers(0, groups, users)
    counts = np.minimum(20 + np.round(60 * np.exp(rng.normal(0.0, 0.9, users))), items // 3).astype(int)
    rows, cols = [], []
    for user in range(users):
        own = np.flatnonzero(item_group == user_group[user])
        n = counts[user]
        n_own = min(len(own), rng.binomial(n, args.affinity))
        weights = popularity[own] / popularity[own].sum()
        chosen = set(rng.choice(own, size=n_own, replace=False, p=weights).tolist())
        everything = popularity / popularity.sum()
        while len(chosen) < n:
            chosen.update(rng.choice(items, size=n - len(chosen), replace=True, p=everything).tolist())
        chosen = sorted(chosen)
        rows.extend([user] * len(chosen))
        cols.extend(chosen)
    # Units ordered: mostly one, sometimes a few.
    values = (1 + rng.geometric(0.55, len(rows)) - 1).astype(np.float32)
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(users, items))
    os.makedirs(args.data, exist_ok=True)
    write_triples(os.path.join(args.data, "interactions.csv"), matrix)
    with open(os.path.join(args.data, "shape.json"), "w") as f:
        json.dump({"users": users, "items": items}, f)
    per_item = np.diff(matrix.tocsc().indptr)
    print(
        f"planted matrix: {users} x {items}, {matrix.nnz} interactions, "
        f"items/guest median {int(np.median(np.diff(matrix.indptr)))}, "
        f"guests/item max {per_item.max()} median {int(np.median(per_item))}, "
        f"{(per_item == 0).sum()} items never ordered",
        file=sys.stderr,
    )


class PopularityBaseline:
    """The same baseline as ConciergeModel's Popularity: distinct guests, ties by total units,
    then lower index; a guest's own items left out. Quacks like an implicit model for
    ranking_metrics_at_k, which only calls recommend."""

    def __init__(self, train):
        guests = np.asarray((train > 0).sum(axis=0)).ravel()
        units = np.asarray(train.sum(axis=0)).ravel()
        ranked = np.lexsort((np.arange(len(guests)), -units, -guests))
        self.ranked = ranked[guests[ranked] > 0]

    def recommend(self, userid, user_items, N=10, **_):
        ids = np.full((len(userid), N), -1, dtype=np.int32)
        for row in range(len(userid)):
            own = set(user_items[row].indices.tolist())
            picked = [item for item in self.ranked[: N + len(own)] if item not in own][:N]
            ids[row, : len(picked)] = picked
        return ids, np.zeros((len(userid), N), dtype=np.float32)


def metrics(model, train, test, k):
    from implicit.evaluation import ranking_metrics_at_k

    m = ranking_metrics_at_k(model, train, test, K=k, show_progress=False, num_threads=1)
    return {"precision": m["precision"], "map": m["map"], "ndcg": m["ndcg"], "auc": m["auc"]}


def load_split(data):
    with open(os.path.join(data, "shape.json")) as f:
        shape = json.load(f)
    shape = (shape["users"], shape["items"])
    return read_triples(os.path.join(data, "train.csv"), shape), read_triples(os.path.join(data, "test.csv"), shape)


def hyper(args):
    with open(os.path.join(args.data, "hyper.json")) as f:
        return json.load(f)


def run_implicit(args):
    import implicit
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import CosineRecommender
    from threadpoolctl import threadpool_limits

    train, test = load_split(args.data)
    h = hyper(args)
    results = {"implicit_version": implicit.__version__, "numpy": np.__version__}
    # implicit's own advice: BLAS single-threaded, parallelism from implicit's num_threads.
    with threadpool_limits(limits=1, user_api="blas"):
        # On a busy 2-core machine OpenMP's barriers make 2 threads slower than 1, so both are
        # timed; the model kept for the metrics is the last one trained with h["threads"].
        by_threads, model, by_seed, interleaved = {}, None, [], {}
        for threads in sorted({1, h["threads"]}):
            times, ours = [], []
            for run in range(args.runs):
                # One of ours right before each of implicit's, so both see the same machine load.
                if args.bench:
                    output = subprocess.run(
                        [args.bench, "time-als", "--data", args.data, "--threads", str(threads),
                         "--seed", str(h["seed"] + run)],
                        check=True, capture_output=True, text=True).stdout
                    ours.append(float(output.strip()))
                candidate = AlternatingLeastSquares(
                    factors=h["factors"], regularization=h["regularization"], alpha=h["alpha"],
                    iterations=h["iterations"], use_cg=True, use_native=True,
                    num_threads=threads, random_state=h["seed"] + run,
                )
                candidate.cg_steps = h["cg_steps"]
                start = time.perf_counter()
                candidate.fit(train, show_progress=False)
                times.append(time.perf_counter() - start)
                if threads == h["threads"]:
                    model = candidate
                    by_seed.append(metrics(candidate, train, test, h["k"]))
            by_threads[str(threads)] = times
            interleaved[str(threads)] = {"implicit": times, "concierge": ours}
        times = by_threads[str(h["threads"])]
        results["als"] = {
            "seconds": times, "median": statistics.median(times), "by_threads": by_threads,
            "metrics": by_seed[-1], "by_seed": by_seed, "interleaved": interleaved,
        }
        write_factors(os.path.join(args.data, "implicit_user_factors.f32"), model.user_factors)
        write_factors(os.path.join(args.data, "implicit_item_factors.f32"), model.item_factors)

        times = []
        for _ in range(args.runs):
            cosine = CosineRecommender(K=h["neighbours"] + 1, num_threads=h["threads"])
            start = time.perf_counter()
            cosine.fit(train, show_progress=False)
            times.append(time.perf_counter() - start)
        results["cosine"] = {"seconds": times, "median": statistics.median(times), "metrics": metrics(cosine, train, test, h["k"])}
        write_triples(os.path.join(args.data, "implicit_similarity.csv"), cosine.similarity)

        start = time.perf_counter()
        popular = PopularityBaseline(train)
        results["popularity"] = {"median": time.perf_counter() - start, "metrics": metrics(popular, train, test, h["k"])}
    with open(os.path.join(args.data, "implicit.json"), "w") as f:
        json.dump(results, f, indent=1)


def same_start(args):
    """implicit's ALS on one thread from initial factors drawn here; the Swift side then runs
    ConciergeModel's half-steps from the same factors and compares where both end up."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    train, test = load_split(args.data)
    h = hyper(args)
    rng = np.random.default_rng(h["seed"])
    users = rng.random((train.shape[0], h["factors"]), dtype=np.float32) * 0.01
    items = rng.random((train.shape[1], h["factors"]), dtype=np.float32) * 0.01
    write_factors(os.path.join(args.data, "init_user.f32"), users)
    write_factors(os.path.join(args.data, "init_item.f32"), items)
    with threadpool_limits(limits=1, user_api="blas"):
        model = AlternatingLeastSquares(
            factors=h["factors"], regularization=h["regularization"], alpha=h["alpha"],
            iterations=h["iterations"], num_threads=1,
        )
        model.cg_steps = h["cg_steps"]
        model.user_factors, model.item_factors = users.copy(), items.copy()
        model.fit(train, show_progress=False)
    write_factors(os.path.join(args.data, "same_user.f32"), model.user_factors)
    write_factors(os.path.join(args.data, "same_item.f32"), model.item_factors)
    m = metrics(model, train, test, h["k"])
    print("same start: implicit " + ", ".join(f"{key} {value:.4f}" for key, value in m.items()))


def report(args):
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import ItemItemRecommender, NearestNeighboursScorer

    train, test = load_split(args.data)
    h = hyper(args)
    with open(os.path.join(args.data, "implicit.json")) as f:
        theirs = json.load(f)
    with open(os.path.join(args.data, "concierge.json")) as f:
        ours = json.load(f)

    # Our factors and neighbour lists, scored by implicit.evaluation.
    als = AlternatingLeastSquares(factors=h["factors"], num_threads=1)
    als.user_factors = read_factors(os.path.join(args.data, "concierge_user_factors.f32"))
    als.item_factors = read_factors(os.path.join(args.data, "concierge_item_factors.f32"))
    ours_by_implicit = {"als": metrics(als, train, test, h["k"])}
    similarity = read_triples(os.path.join(args.data, "concierge_similarity.csv"), (train.shape[1], train.shape[1]))
    knn = ItemItemRecommender(K=h["neighbours"])
    knn.similarity = similarity.astype(np.float64)
    knn.scorer = NearestNeighboursScorer(knn.similarity)
    ours_by_implicit["cosine"] = metrics(knn, train, test, h["k"])

    from implicit.cpu import _als
    implicit_loss = _als.calculate_loss(
        (h["alpha"] * train).astype(np.float32).tocsr(), als.user_factors, als.item_factors, h["regularization"],
        num_threads=1)

    k = h["k"]
    lines = [
        f"| model | train s (median of {args.runs}; ALS rows: interleaved runs) | P@{k} implicit / ours | MAP@{k} implicit / ours "
        f"| NDCG@{k} implicit / ours | AUC implicit / ours | coverage (ours) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(name, seconds, by_implicit, by_ours):
        cells = [name, f"{seconds:.3f}" if seconds is not None else "–"]
        for key in ("precision", "map", "ndcg", "auc"):
            cells.append(f"{by_implicit[key]:.4f} / {by_ours[key]:.4f}")
        cells.append(f"{by_ours['coverage']:.3f}")
        lines.append("| " + " | ".join(cells) + " |")

    row("implicit ALS (CG)", theirs["als"]["median"], theirs["als"]["metrics"], ours["implicit_als_metrics"])
    interleaved = theirs["als"]["interleaved"].get(str(h["threads"]), {}).get("concierge")
    ours_seconds = statistics.median(interleaved) if interleaved else ours["als"]["median"]
    row("Concierge ImplicitALS", ours_seconds, ours_by_implicit["als"], ours["als"]["metrics"])
    row("implicit CosineRecommender", theirs["cosine"]["median"], theirs["cosine"]["metrics"], ours["implicit_cosine_metrics"])
    row("Concierge ItemSimilarity + ItemItemModel", ours["cosine"]["median"], ours_by_implicit["cosine"], ours["cosine"]["metrics"])
    row("popularity (distinct guests)", None, theirs["popularity"]["metrics"], ours["popularity"]["metrics"])
    table = "\n".join(lines)
    settings = (
        f"{train.shape[0]} guests x {train.shape[1]} items, {train.nnz} train / {test.nnz} test interactions; "
        f"factors={h['factors']} regularization={h['regularization']} alpha={h['alpha']} "
        f"iterations={h['iterations']} cg_steps={h['cg_steps']} threads={h['threads']} "
        f"confidence=implicitLibrary; cosine neighbours={h['neighbours']}; "
        f"implicit {theirs['implicit_version']}, numpy {theirs['numpy']}"
    )
    print(settings)
    print()
    print(table)
    print()
    for threads, runs in sorted(theirs["als"]["interleaved"].items(), key=lambda pair: int(pair[0])):
        other, mine = runs["implicit"], runs["concierge"]
        if not mine:
            continue
        print(f"ALS wall time, {threads} thread(s), interleaved runs, s: implicit median "
              f"{statistics.median(other):.3f} ({' '.join(f'{t:.3f}' for t in other)}), Concierge median "
              f"{statistics.median(mine):.3f} ({' '.join(f'{t:.3f}' for t in mine)})")
    for key, name in (("precision", f"P@{k}"), ("map", f"MAP@{k}"), ("ndcg", f"NDCG@{k}")):
        spread = []
        for label, runs in (("implicit", theirs["als"]["by_seed"]), ("Concierge", ours["als"]["by_seed"])):
            values = [run[key] for run in runs]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            spread.append(f"{label} {statistics.mean(values):.4f} ± {sd:.4f}")
        print(f"ALS {name} over {len(theirs['als']['by_seed'])} seeds (mean ± sd): " + ", ".join(spread))
    print(f"training loss of Concierge's final factors: ImplicitALS.loss {ours['als_loss']:.6f}, "
          f"implicit calculate_loss {implicit_loss:.6f}")
    with open(os.path.join(args.data, "report.md"), "w") as f:
        f.write(settings + "\n\n" + table + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--data", required=True)
    g.add_argument("--users", type=int, default=943)
    g.add_argument("--items", type=int, default=1682)
    g.add_argument("--groups", type=int, default=20)
    g.add_argument("--affinity", type=float, default=0.6, help="share of a guest's items from their group")
    g.add_argument("--seed", type=int, default=2024)
    for name in ("implicit", "report", "same-start"):
        p = sub.add_parser(name)
        p.add_argument("--data", required=True)
        p.add_argument("--runs", type=int, default=3)
        p.add_argument("--bench", help="concierge-training-bench, to time our ALS between implicit's runs")
    args = parser.parse_args()
    {"generate": generate, "implicit": run_implicit, "report": report, "same-start": same_start}[args.command](args)


if __name__ == "__main__":
    main()
