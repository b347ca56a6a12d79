"""The EASE-ALS blend prototyped in NumPy before it went into ModelTrainer (issue 14), on the data sets that
compare_implicit.sh writes (data/planted, data/movielens: train/test as `concierge-training-bench split` makes them).

The product's protocol, on the training part only: three validation cuts of train.csv (TrainTestSplit's seeds 43,
44, 45, ported below and checked against fit.csv/validation.csv), EASE's λ (binary X) and the ALS grid
(factors × regularization × alpha, Concierge's linear confidence 1 + alpha·units, through implicit's CG solver)
each chosen by mean validation MAP@10, then ALS's blend weight w chosen on the same cuts by ModelTrainer.best's rule
(MAP within 1 % of the best, then P@10, then NDCG@10) among w = 0 (EASE alone) … 2; the choice refitted on
train.csv and measured once on test.csv with implicit.evaluation's definitions. Normalisation "std": each model's
scores of a guest divided by their standard deviation over the items (what kind ease-als serves); "global": by the
standard deviation over the whole score matrix.

    .venv/bin/python -W ignore blend_prototype.py movielens 1,2,3,4,5,6 std,global
"""

import math
import os
import sys

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from compare_implicit import DataSet, ease_fit

M64 = (1 << 64) - 1
LAMBDAS = [100, 300, 1000, 3000]
ALS_GRID = [(f, r, a) for f in (16, 32, 64) for r in (0.01, 0.1, 1, 10) for a in (1, 10, 40)]
WEIGHTS = [0, 0.25, 0.5, 0.75, 1, 1.5, 2]


class SplitMix64:
    """ConciergeModel's SplitMix64, with Swift's next(upperBound:) (Lemire's nearly divisionless method)."""

    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def upper(self, bound):
        m = self.next() * bound
        if m & M64 < bound:
            t = ((1 << 64) - bound) % bound
            while m & M64 < t:
                m = self.next() * bound
        return m >> 64


def split(matrix, fraction, seed):
    """TrainTestSplit.split: per guest, min(n − 1, max(1, round(n · fraction))) items held out by a partial
    Fisher–Yates shuffle."""
    m = matrix.tocsr()
    m.sort_indices()
    generator = SplitMix64(seed)
    kept, held = ([], [], []), ([], [], [])
    for user in range(m.shape[0]):
        positions = list(range(m.indptr[user], m.indptr[user + 1]))
        n = len(positions)
        out = 0 if n < 2 or fraction == 0 else min(n - 1, max(1, math.floor(n * fraction + 0.5)))
        for index in range(out):
            other = index + generator.upper(n - index)
            positions[index], positions[other] = positions[other], positions[index]
        for rank, position in enumerate(positions):
            part = held if rank < out else kept
            part[0].append(user)
            part[1].append(m.indices[position])
            part[2].append(m.data[position])
    return tuple(sp.csr_matrix((np.array(p[2], dtype=np.float32), (p[0], p[1])), shape=m.shape) for p in (kept, held))


def metrics(scores, train, test, k=10):
    """implicit.evaluation's precision@k (hits over Σ min(k, n)), MAP@k and NDCG@k; training items left out."""
    s = np.array(scores, dtype=np.float64, copy=True)
    s[np.repeat(np.arange(train.shape[0]), np.diff(train.indptr)), train.indices] = -np.inf
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    s = s[users]
    top = np.argpartition(-s, k, axis=1)[:, :k]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, 1), axis=1, kind="stable"), 1)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    hits = divisor = average_precision = ndcg = 0.0
    for row, user in enumerate(users):
        liked = set(test.indices[test.indptr[user]:test.indptr[user + 1]].tolist())
        n = min(k, len(liked))
        hit = np.array([item in liked for item in top[row]], dtype=float)
        hits += hit.sum()
        divisor += n
        ndcg += (hit * discount).sum() / discount[:n].sum()
        average_precision += (hit * np.cumsum(hit) / np.arange(1, k + 1)).sum() / n
    return {"p": hits / divisor, "map": average_precision / len(users), "ndcg": ndcg / len(users)}


def ease_scores(x, lam):
    return np.asarray((x > 0).astype(np.float32) @ ease_fit(x, [(0, x.shape[1])], lam, True))


def als_scores(x, factors, regularization, alpha, seed, iterations=15):
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=factors, regularization=regularization, alpha=1.0, iterations=iterations,
                                    use_cg=True, use_native=True, num_threads=1, random_state=seed)
    model.cg_steps = 3
    confidence = x.copy().astype(np.float32)
    confidence.data = 1 + alpha * confidence.data
    model.fit(confidence, show_progress=False)
    return model.user_factors @ model.item_factors.T


def scaled(scores, how):
    return scores / (scores.std(axis=1, keepdims=True) + 1e-12) if how == "std" else scores / float(scores.std())


def mean(results):
    return {key: float(np.mean([r[key] for r in results])) for key in results[0]}


def best(results):
    """ModelTrainer.best: the best MAP; within 1 % of it, precision, then NDCG."""
    top = max(r["map"] for r in results.values())
    return max((key for key in results if results[key]["map"] >= top * 0.99),
               key=lambda key: (results[key]["p"], results[key]["ndcg"]))


def main():
    name, seeds, hows = sys.argv[1], [int(s) for s in sys.argv[2].split(",")], sys.argv[3].split(",")
    data = DataSet(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name))
    train, test = data.matrix("train"), data.matrix("test")
    cuts = [split(train, 0.2, 43 + index) for index in range(3)]
    assert (cuts[0][0] != data.matrix("fit")).nnz == 0 and (cuts[0][1] != data.matrix("validation")).nnz == 0
    with threadpool_limits(1):
        ease = {lam: [ease_scores(fit, lam) for fit, _ in cuts] for lam in LAMBDAS}
        ease_validation = {lam: mean([metrics(ease[lam][i], *cuts[i]) for i in range(3)]) for lam in LAMBDAS}
        lam = max(LAMBDAS, key=lambda value: ease_validation[value]["map"])
        ease_test = ease_scores(train, lam)
        print(name, f"EASE λ {lam}", "test", metrics(ease_test, train, test), flush=True)
        for seed in seeds:
            first = {c: metrics(als_scores(cuts[0][0], *c, seed), *cuts[0]) for c in ALS_GRID}
            leaders = sorted(ALS_GRID, key=lambda c: -first[c]["map"])[:3]
            als = {c: [als_scores(fit, *c, seed) for fit, _ in cuts] for c in leaders}
            als_validation = {c: mean([metrics(als[c][i], *cuts[i]) for i in range(3)]) for c in leaders}
            chosen = max(leaders, key=lambda c: als_validation[c]["map"])
            als_test = als_scores(train, *chosen, seed)
            print(name, seed, f"ALS {chosen}", "test", metrics(als_test, train, test), flush=True)
            for how in hows:
                validation = {w: mean([metrics(scaled(ease[lam][i], how) + w * scaled(als[chosen][i], how), *cuts[i])
                                       for i in range(3)]) for w in WEIGHTS}
                w = best(validation)
                t = metrics(scaled(ease_test, how) + w * scaled(als_test, how), train, test)
                print(name, seed, how, f"λ {lam} ALS {chosen} w {w}",
                      "validation MAP %.4f P %.4f NDCG %.4f" % tuple(validation[w][k] for k in ("map", "p", "ndcg")),
                      "(w 0: %.4f %.4f %.4f)" % tuple(validation[0][k] for k in ("map", "p", "ndcg")),
                      "test P %.4f NDCG %.4f MAP %.4f" % (t["p"], t["ndcg"], t["map"]), flush=True)


if __name__ == "__main__":
    main()
