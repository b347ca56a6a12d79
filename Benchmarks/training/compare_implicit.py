"""Concierge's ConciergeModel against the Python library implicit 0.7, on three data sets.

Each data set is a directory under data/ (see DataFiles.swift for the files in it).
Steps (compare_implicit.sh runs them in this order):
  generate    a MovieLens-100K-sized planted guests x items matrix -> planted/interactions.csv
  movielens   MovieLens 100K itself, read from RecBole's wheel on PyPI -> movielens/interactions.csv
  from-store  the guest x item matrix Concierge trains on, read from a feature store written by
              `concierge ingest` (ConciergeData's TrainingData + ConciergeTraining's
              InteractionMatrix, redone in SQL and Python) -> sample/interactions.csv, hotels.json
  (Swift)     split each data set as ModelTrainer does; run the product's model selection
  compare     the interleaved run over all data sets: implicit's ALS (CG) and ours at equal
              hyper-parameters, implicit's CosineRecommender and our item-item, implicit's ALS
              tuned on the same grid and validation split as ours, and implicit's ALS at the
              hyper-parameters our selection chose; every fit timed, every model saved
  evaluate    implicit.evaluation.ranking_metrics_at_k of every saved model, per scope
  (Swift)     our RankingMetrics of every saved model, per scope
  report      the markdown report (also written to data/report.md)
  same-start  implicit's ALS from initial factors that the Swift side then starts from too

Scopes: "catalogue" ranks every item (implicit.evaluation's protocol); "hotel" ranks only the
guest's hotel's menu (how Concierge serves and selects), through implicit's
recommend(..., items=...).
"""

import argparse
import csv
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request

import numpy as np
import scipy
import scipy.sparse as sp

K = 10
SCOPE_TITLES = {
    "catalogue": "catalogue scope (every item ranked, as implicit.evaluation does)",
    "hotel": "hotel scope (only the guest's hotel's menu ranked, as Concierge serves)",
}


# Files ------------------------------------------------------------------------------------------


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


def read_json(path, default=None):
    if default is not None and not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)


class DataSet:
    """One data-set directory: its shape, hotels, split and hyper-parameters."""

    def __init__(self, directory):
        self.directory = directory
        self.name = os.path.basename(os.path.normpath(directory))
        shape = read_json(self.path("shape.json"))
        self.shape = (shape["users"], shape["items"])
        self.hyper = read_json(self.path("hyper.json"), default={})
        self._matrices = {}
        hotels = read_json(self.path("hotels.json"), default={"blocks": [[0, self.shape[1]]]})
        self.blocks = [tuple(block) for block in hotels["blocks"]]
        self.user_hotel = np.asarray(hotels.get("user_hotel", np.zeros(self.shape[0], dtype=int)))
        self.scopes = ["catalogue", "hotel"] if "user_hotel" in hotels else ["catalogue"]

    def path(self, *names):
        return os.path.join(self.directory, *names)

    def matrix(self, name):
        if name not in self._matrices:
            self._matrices[name] = read_triples(self.path(name + ".csv"), self.shape)
        return self._matrices[name]

    def model_path(self, name):
        os.makedirs(self.path("models"), exist_ok=True)
        return self.path("models", name)


# Data sets ----------------------------------------------------------------------------------------


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
    write_json(os.path.join(args.data, "shape.json"), {"users": users, "items": items})
    per_item = np.diff(matrix.tocsc().indptr)
    about = (
        f"{users} guests in {groups} taste groups x {items} items, {matrix.nnz} interactions, "
        f"items/guest median {int(np.median(np.diff(matrix.indptr)))}, guests/item max {per_item.max()} "
        f"median {int(np.median(per_item))}, {(per_item == 0).sum()} items never ordered; one catalogue, no hotels"
    )
    write_json(os.path.join(args.data, "about.json"), {"about": about})
    print(about, file=sys.stderr)


def movielens(args):
    """MovieLens 100K (GroupLens), the public data set implicit's own examples start from, as RecBole's wheel on
    PyPI carries it (`recbole/dataset_example/ml-100k/ml-100k.inter`: user, item, rating, time), read from the
    wheel itself: every rating is an interaction of value 1, as implicit feedback treats a rating. Users and items
    by numeric id; one catalogue, no hotels."""
    import zipfile

    with zipfile.ZipFile(args.wheel) as wheel:
        lines = wheel.read("recbole/dataset_example/ml-100k/ml-100k.inter").decode().splitlines()[1:]
    pairs = [tuple(int(field) for field in line.split("\t")[:2]) for line in lines if line]
    users = sorted({user for user, _ in pairs})
    items = sorted({item for _, item in pairs})
    user_index = {user: index for index, user in enumerate(users)}
    item_index = {item: index for index, item in enumerate(items)}
    rows = [user_index[user] for user, _ in pairs]
    cols = [item_index[item] for _, item in pairs]
    matrix = sp.csr_matrix((np.ones(len(pairs), dtype=np.float32), (rows, cols)), shape=(len(users), len(items)))
    matrix.data[:] = 1
    os.makedirs(args.data, exist_ok=True)
    write_triples(os.path.join(args.data, "interactions.csv"), matrix)
    write_json(os.path.join(args.data, "shape.json"), {"users": len(users), "items": len(items)})
    about = (
        f"MovieLens 100K (real ratings, each an interaction of 1): {len(users)} users x {len(items)} movies, "
        f"{matrix.nnz} interactions, items/user median {int(np.median(np.diff(matrix.indptr)))}; one catalogue, "
        "no hotels"
    )
    write_json(os.path.join(args.data, "about.json"), {"about": about})
    print(about, file=sys.stderr)


EXPORT_COLUMNS = (
    "order_seq,hotel_seq,room_seq,customer_seq,order_price,status,contents,reg_date,check_date,refuse_date,"
    "complete_date,room_building_seq,room_floor_seq,room_name,customer_name,visitor_cnt,visit_adult_cnt,"
    "visit_child_cnt,visit_baby_cnt,check_in,check_out,check_out_expected"
).split(",")


def export_orders(args):
    """The data set's training part (train.csv) as the operator's order export (shared/domain/orders-export.md),
    what `concierge ingest` reads: one COMPLETE order per guest-item cell, of `value` units of one paid item, all
    in hotel 1 (a catalogue has no hotels). Guest g is customer_seq 1 + g and item i is itemSeq 1 + i, so the
    answers of /recommend map back to the matrix."""
    data = DataSet(args.data)
    train = data.matrix("train").tocoo()
    start = datetime.datetime(2024, 1, 1)
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_COLUMNS)
        for order, (user, item, units) in enumerate(zip(train.row, train.col, train.data)):
            count = int(units)
            contents = json.dumps([{
                "orderType": "ROOM_SERVICE", "itemSeq": int(item) + 1, "count": count, "itemName": f"item {item + 1}",
                "departmentSeq": 1, "price": 1000, "waitingPeriod": 10, "delayPeriod": 0, "freeCount": 0,
                "couponSeq": None, "resultPrice": 1000 * count, "completePeriod": 20}])
            when = start + datetime.timedelta(minutes=order)
            stamp = when.strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow([
                order + 1, 1, 100, int(user) + 1, 1000 * count, "COMPLETE", contents, stamp, stamp, "\\N", stamp,
                "\\N", "\\N", "\\N", "\\N", 1, 1, 0, 0, stamp, stamp, stamp])


class ServedModel:
    """`concierge serve` at `url`, asked GET /recommend?user=…&k=N for each guest (guest g is customer_seq g + 1,
    item i itemSeq i + 1, as `export_orders` writes them; the server leaves the guest's training items out itself).
    Quacks like an implicit model for ranking_metrics_at_k, which only calls recommend."""

    def __init__(self, url):
        self.url = url

    def recommend(self, userid, user_items, N=10, **_):
        userid = np.atleast_1d(np.asarray(userid))
        ids = np.full((len(userid), N), -1, dtype=np.int32)
        for row, user in enumerate(userid):
            with urllib.request.urlopen(f"{self.url}/recommend?user={user + 1}&k={N}") as answer:
                ranked = [int(entry["id"]) - 1 for entry in json.load(answer)["items"]][:N]
            ids[row, : len(ranked)] = ranked
        return ids, np.zeros((len(userid), N), dtype=np.float32)


def through_http(args):
    """Every test guest's /recommend from `concierge serve` at `--url`, scored by implicit.evaluation like every
    other model here, into http-catalogue.json."""
    data = DataSet(args.data)
    metrics = score(ServedModel(args.url), data, "catalogue")
    if args.train_log:
        with open(args.train_log) as f:
            chosen = re.search(r"^chosen: (.*) in ", f.read(), re.M)
        metrics["chosen"] = chosen.group(1) if chosen else "?"
    write_json(data.path("http-catalogue.json"), metrics)
    print(f"{data.name} through /recommend: P@10 {metrics['precision']:.4f}  MAP@10 {metrics['map']:.4f}  "
          f"NDCG@10 {metrics['ndcg']:.4f}", file=sys.stderr)


TRAINING_ITEMS = """
SELECT item_seq, hotel_seq FROM items WHERE price > 0
ORDER BY CAST(hotel_seq AS TEXT), CAST(item_seq AS TEXT)
"""

# TrainingData.swift's query, word for word.
TRAINING_LINES = """
SELECT orders.customer_seq, guests.latest_hotel_seq, order_items.item_seq,
    order_items.count - order_items.free_count, orders.reg_date
FROM order_items
JOIN orders ON orders.order_seq = order_items.order_seq
JOIN items ON items.item_seq = order_items.item_seq
JOIN guests ON guests.customer_seq = orders.customer_seq
WHERE orders.status = 'COMPLETE' AND order_items.price > 0 AND items.price > 0
    AND order_items.count > order_items.free_count
ORDER BY orders.reg_date, orders.order_seq, order_items.position
"""

# TrainingData.swift's free lines: COMPLETE lines of paid-menu items with every unit free or a unit price of zero.
FREE_LINES = """
SELECT orders.customer_seq, order_items.item_seq, order_items.count
FROM order_items
JOIN orders ON orders.order_seq = order_items.order_seq
JOIN items ON items.item_seq = order_items.item_seq
WHERE orders.status = 'COMPLETE' AND items.price > 0
    AND NOT (order_items.price > 0 AND order_items.count > order_items.free_count)
"""


def from_store(args):
    """FeatureStore.trainingData() then InteractionMatrix.init: paid items sorted by (hotel, item)
    as text, so each hotel's menu is one index range; guests with a paid COMPLETE order line sorted
    by id as text; cells = units (count - free) summed; a guest's hotel is their latest order's
    (any status), or else the hotel of their latest paid line."""
    import sqlite3

    database = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    items = database.execute(TRAINING_ITEMS).fetchall()
    lines = database.execute(TRAINING_LINES).fetchall()
    free_lines = database.execute(FREE_LINES).fetchall()
    database.close()
    item_index = {item: index for index, (item, _) in enumerate(items)}
    hotel_ids, blocks = [], []
    for index, (_, hotel) in enumerate(items):
        if not hotel_ids or hotel_ids[-1] != str(hotel):
            hotel_ids.append(str(hotel))
            blocks.append([index, index])
        blocks[-1][1] = index + 1
    hotel_index = {hotel: index for index, hotel in enumerate(hotel_ids)}

    latest_hotel = {customer: hotel for customer, hotel, *_ in lines}
    guests = sorted(latest_hotel, key=str)
    guest_index = {customer: index for index, customer in enumerate(guests)}
    last_ordered = {}
    rows, cols, values = [], [], []
    for customer, _, item, units, _ in lines:
        rows.append(guest_index[customer])
        cols.append(item_index[item])
        values.append(units)
        last_ordered[customer] = hotel_index[str(items[item_index[item]][1])]
    user_hotel = [hotel_index.get(str(latest_hotel[c]), last_ordered[c]) for c in guests]
    # csr_matrix sums duplicate (guest, item) pairs, as SparseMatrix(rows:columns:entries:) does.
    matrix = sp.csr_matrix(
        (np.asarray(values, dtype=np.float32), (rows, cols)), shape=(len(guests), len(items)))
    matrix.sum_duplicates()

    # What the paying guests got free of items they never paid for: the rows TrainingData's freeInteractions give
    # the matrix's guests (its free-only guests are not rows of the matrix).
    paid = set(zip(rows, cols))
    free = {}
    for customer, item, count in free_lines:
        if customer in guest_index and (guest_index[customer], item_index[item]) not in paid:
            key = (guest_index[customer], item_index[item])
            free[key] = free.get(key, 0) + count
    free_matrix = sp.csr_matrix(
        (np.asarray(list(free.values()), dtype=np.float32),
         ([r for r, _ in free], [c for _, c in free])), shape=(len(guests), len(items)))

    os.makedirs(args.data, exist_ok=True)
    write_triples(os.path.join(args.data, "interactions.csv"), matrix)
    write_triples(os.path.join(args.data, "free.csv"), free_matrix)
    write_json(os.path.join(args.data, "shape.json"), {"users": len(guests), "items": len(items)})
    write_json(os.path.join(args.data, "hotels.json"), {"hotel_ids": hotel_ids, "blocks": blocks, "user_hotel": user_hotel})
    menus = ", ".join(str(upper - lower) for lower, upper in blocks)
    about = (
        f"`concierge sample` → `concierge ingest` → the trainer's matrix: {len(guests)} guests x "
        f"{len(items)} paid items ({len(blocks)} hotels, menus of {menus}), {len(lines)} paid COMPLETE order lines, "
        f"{matrix.nnz} guest-item cells, items/guest median {int(np.median(np.diff(matrix.indptr)))}"
    )
    write_json(os.path.join(args.data, "about.json"), {"about": about, "order_lines": len(lines)})
    print(about, file=sys.stderr)


# Models and their evaluation ------------------------------------------------------------------------


class PopularityBaseline:
    """ConciergeModel's Popularity: distinct guests, ties by total units, then lower index; a
    guest's own items left out. Quacks like an implicit model for ranking_metrics_at_k, which
    only calls recommend."""

    def __init__(self, train, measure="distinct guests"):
        guests = np.asarray((train > 0).sum(axis=0)).ravel()
        units = np.asarray(train.sum(axis=0)).ravel()
        primary, secondary = (units, guests) if measure == "units" else (guests, units)
        ranked = np.lexsort((np.arange(len(guests)), -secondary, -primary))
        self.ranked = ranked[guests[ranked] > 0]

    def recommend(self, userid, user_items, N=10, items=None, **_):
        userid = np.atleast_1d(np.asarray(userid))
        ranked = self.ranked if items is None else self.ranked[np.isin(self.ranked, items)]
        ids = np.full((len(userid), N), -1, dtype=np.int32)
        for row in range(len(userid)):
            own = set(user_items[row].indices.tolist())
            picked = [item for item in ranked[: N + len(own)] if item not in own][:N]
            ids[row, : len(picked)] = picked
        return ids, np.zeros((len(userid), N), dtype=np.float32)


def ease_fit(matrix, blocks, lam, binary):
    """EASE (Steck 2019) per block, with NumPy's LAPACK: B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, as one
    items × items matrix that is zero between blocks."""
    x = (matrix > 0).astype(np.float64) if binary else matrix.astype(np.float64)
    full = np.zeros((matrix.shape[1], matrix.shape[1]), dtype=np.float32)
    for lower, upper in blocks:
        block = x[:, lower:upper]
        gram = (block.T @ block).toarray() + lam * np.eye(upper - lower)
        p = np.linalg.inv(gram)
        b = -p / np.diag(p)
        np.fill_diagonal(b, 0)
        full[lower:upper, lower:upper] = b
    return full


class EASEModel:
    """Scores a guest's row of X times B, their own items left out; quacks like an implicit model."""

    def __init__(self, weights, binary):
        self.weights, self.binary = weights, binary

    def recommend(self, userid, user_items, N=10, items=None, **_):
        userid = np.atleast_1d(np.asarray(userid))
        x = (user_items > 0).astype(np.float32) if self.binary else user_items.astype(np.float32)
        scores = np.asarray(x @ self.weights)
        candidates = np.arange(self.weights.shape[0]) if items is None else np.asarray(items)
        ids = np.full((len(userid), N), -1, dtype=np.int32)
        for row in range(len(userid)):
            own = set(user_items[row].indices.tolist())
            allowed = np.array([item for item in candidates if item not in own], dtype=np.int64)
            best = allowed[np.argsort(-scores[row, allowed], kind="stable")[:N]]
            ids[row, : len(best)] = best
        return ids, np.zeros((len(userid), N), dtype=np.float32)


class HotelMenus:
    """Makes ranking_metrics_at_k score what Concierge serves: each guest is asked for with
    implicit 0.7's recommend(..., items=their hotel's menu)."""

    def __init__(self, model, data):
        self.model, self.blocks, self.user_hotel = model, data.blocks, data.user_hotel

    def recommend(self, userid, user_items, N=10, **_):
        userid = np.asarray(userid)
        ids = np.full((len(userid), N), -1, dtype=np.int32)
        hotels = self.user_hotel[userid]
        for hotel in np.unique(hotels):
            rows = np.flatnonzero(hotels == hotel)
            lower, upper = self.blocks[hotel]
            found, _ = self.model.recommend(userid[rows], user_items[rows], N=N, items=np.arange(lower, upper))
            found = np.asarray(found).reshape(len(rows), -1)[:, :N]
            ids[rows, : found.shape[1]] = found
        return ids, np.zeros(ids.shape, dtype=np.float32)


def score(model, data, scope, train="train", test="test"):
    """implicit.evaluation's precision, MAP and NDCG at K of `model` (trained on `train`)."""
    from implicit.evaluation import ranking_metrics_at_k

    ranked = HotelMenus(model, data) if scope == "hotel" else model
    m = ranking_metrics_at_k(ranked, data.matrix(train), data.matrix(test), K=K, show_progress=False, num_threads=1)
    return {"precision": m["precision"], "map": m["map"], "ndcg": m["ndcg"], "auc": m["auc"]}


def als_from_factors(user_factors, item_factors):
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=user_factors.shape[1], num_threads=1)
    model.user_factors, model.item_factors = user_factors, item_factors
    return model


def item_item_from_similarity(similarity):
    from implicit.nearest_neighbours import ItemItemRecommender, NearestNeighboursScorer

    model = ItemItemRecommender()
    model.similarity = similarity.astype(np.float64).tocsr()
    model.scorer = NearestNeighboursScorer(model.similarity)
    return model


def load_models(data):
    """Every model in models/ as an implicit recommender, by name."""
    models = {}
    directory = data.path("models")
    for file in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        path = os.path.join(directory, file)
        if file.endswith(".user.f32"):
            name = file[: -len(".user.f32")]
            models[name] = als_from_factors(read_factors(path), read_factors(data.model_path(name + ".item.f32")))
        elif file.endswith(".similarity.csv"):
            models[file[: -len(".similarity.csv")]] = item_item_from_similarity(
                read_triples(path, (data.shape[1], data.shape[1])))
        elif file.endswith(".ease-binary.f32") or file.endswith(".ease-units.f32"):
            binary = file.endswith(".ease-binary.f32")
            models[file[: -len(".ease-binary.f32" if binary else ".ease-units.f32")]] = EASEModel(read_factors(path), binary)
        elif file.endswith(".popularity"):
            with open(path) as f:
                measure = f.read() or "distinct guests"
            models[file[: -len(".popularity")]] = PopularityBaseline(data.matrix("train"), measure)
    return models


def evaluate(args):
    data = DataSet(args.data)
    results = {name: score(model, data, args.scope) for name, model in load_models(data).items()}
    write_json(data.path(f"implicit-eval-{args.scope}.json"), results)


# The interleaved run -------------------------------------------------------------------------------


def implicit_als(factors, regularization, alpha, iterations, cg_steps, threads, seed):
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(
        factors=factors, regularization=regularization, alpha=alpha, iterations=iterations,
        use_cg=True, use_native=True, num_threads=threads, random_state=seed)
    model.cg_steps = cg_steps
    return model


def fit_timed(model, matrix):
    start = time.perf_counter()
    model.fit(matrix, show_progress=False)
    return time.perf_counter() - start


def linear_confidence(matrix, alpha):
    """implicit takes its matrix times alpha as the confidence; feeding it 1 + alpha·r with
    alpha = 1 gives Concierge's (and Hu, Koren and Volinsky's) confidence instead."""
    linear = matrix.copy()
    linear.data = 1 + alpha * linear.data
    return linear


def swift(bench, data, command, **options):
    arguments = [bench, command, "--data", data.directory]
    for key, value in options.items():
        arguments += ["--" + key.replace("_", "-"), str(value)]
    return float(subprocess.run(arguments, check=True, capture_output=True, text=True).stdout.strip())


def interleaved(run, ours, theirs):
    """Both fits of one run, in alternating order so that neither always goes first."""
    if run % 2 == 0:
        return ours(), theirs()
    theirs_seconds = theirs()
    return ours(), theirs_seconds


def fit_pair(data, run, bench, record, key, settings, confidence, threads, seed, save):
    """One interleaved pair: our ALS (a separate process) and implicit's at the same settings and
    seed; implicit is fed 1 + alpha·units with alpha = 1 for our linear confidence. Both saved as
    models/{concierge,implicit}-SAVE-sRUN."""
    s, train = settings, data.matrix("train")
    linear = confidence == "linear"
    model = implicit_als(s["factors"], s["regularization"], 1.0 if linear else s["alpha"], s["iterations"],
                         s["cg_steps"], threads, seed)
    matrix = linear_confidence(train, s["alpha"]) if linear else train
    ours, theirs = interleaved(
        run,
        lambda: swift(
            bench, data, "als", factors=s["factors"], regularization=s["regularization"], alpha=s["alpha"],
            iterations=s["iterations"], cg_steps=s["cg_steps"], confidence=confidence, threads=threads, seed=seed,
            **({"save": f"concierge-{save}-s{run}"} if save else {})),
        lambda: fit_timed(model, matrix))
    record.setdefault(key, {"concierge": [], "implicit": []})
    record[key]["concierge"].append(ours)
    record[key]["implicit"].append(theirs)
    if save:
        write_factors(data.model_path(f"implicit-{save}-s{run}.user.f32"), model.user_factors)
        write_factors(data.model_path(f"implicit-{save}-s{run}.item.f32"), model.item_factors)


def compare_equal(data, run, bench, record):
    """ALS at the hyper-parameters of hyper.json (implicit's confidence), on 1 thread and on
    `threads`, and item-item cosine; the fits on `threads` are saved."""
    from implicit.nearest_neighbours import CosineRecommender

    h, train = data.hyper, data.matrix("train")
    for threads in sorted({1, h["threads"]}):
        fit_pair(data, run, bench, record, f"als/{threads}", h, "implicit", threads, h["seed"] + run,
                 "als" if threads == h["threads"] else None)

    # implicit's lists keep the item itself (similarity 1), hence one more neighbour.
    cosine = CosineRecommender(K=h["neighbours"] + 1, num_threads=h["threads"])
    ours, theirs = interleaved(
        run,
        lambda: swift(bench, data, "cosine", neighbours=h["neighbours"], threads=h["threads"],
                      **({"save": "concierge-cosine"} if run == 0 else {})),
        lambda: fit_timed(cosine, train))
    record.setdefault("cosine", {"concierge": [], "implicit": []})
    record["cosine"]["concierge"].append(ours)
    record["cosine"]["implicit"].append(theirs)
    if run == 0:
        write_triples(data.model_path("implicit-cosine.similarity.csv"), cosine.similarity)


def tune_implicit(data, scope, selection):
    """implicit's ALS (its own confidence, alpha·r) over the grid our selection searched, fitted
    on fit.csv and compared by MAP@10 on validation.csv in the same scope."""
    h, fit = data.hyper, data.matrix("fit")
    grid = [c["candidate"] for c in selection["validation"] if c["candidate"]["kind"] == "als"]
    results, start = [], time.perf_counter()
    for c in grid:
        model = implicit_als(c["factors"], c["regularization"], c["alpha"], c["iterations"], c["cg_steps"],
                             h["threads"], c["seed"])
        model.fit(fit, show_progress=False)
        results.append({"candidate": c, "metrics": score(model, data, scope, train="fit", test="validation")})
    best = max(results, key=lambda result: result["metrics"]["map"])  # the first of equals, as ours
    return {"chosen": best["candidate"], "validation": results, "seconds": time.perf_counter() - start}


def tune_ease(data, scope, selection):
    """The EASE baseline: NumPy's EASE over the λ × input grid our selection searched, fitted on fit.csv and
    compared by MAP@10 on validation.csv in the same scope, the best refitted on train.csv and saved."""
    blocks = data.blocks if scope == "hotel" else [(0, data.shape[1])]
    grid = [c["candidate"] for c in selection["validation"] if c["candidate"]["kind"] == "ease"]
    results, start = [], time.perf_counter()
    for c in grid:
        model = EASEModel(ease_fit(data.matrix("fit"), blocks, c["lambda"], c["input"] == "binary"), c["input"] == "binary")
        results.append({"candidate": c, "metrics": score(model, data, scope, train="fit", test="validation")})
    best = max(results, key=lambda result: result["metrics"]["map"])["candidate"]
    fit_start = time.perf_counter()
    weights = ease_fit(data.matrix("train"), blocks, best["lambda"], best["input"] == "binary")
    fit_seconds = time.perf_counter() - fit_start
    write_factors(data.model_path(f"implicit-ease-{scope}.ease-{best['input']}.f32"), weights)
    return {"chosen": best, "validation": results, "seconds": time.perf_counter() - start, "fit_seconds": fit_seconds}


def compare_selected(data, scope, run, bench, record):
    """ALS pairs at the settings our selection chose (our confidence) and at the settings
    implicit's own tuning on the same grid chose (its confidence)."""
    threads = data.hyper["threads"]
    selection = read_json(data.path(f"selection-{scope}.json"))
    if run == 0:
        record["tuning"] = tune_implicit(data, scope, selection)
        record["ease"] = tune_ease(data, scope, selection)
    tuned = record["tuning"]["chosen"]
    fit_pair(data, run, bench, record, "tuned", tuned, "implicit", threads, tuned["seed"] + run, f"tuned-{scope}")
    chosen = selection["chosen"]
    if chosen["kind"] == "als":
        fit_pair(data, run, bench, record, "chosen", chosen, "linear", threads, chosen["seed"] + run, f"chosen-{scope}")


def compare(args):
    """The timed run: every data set, every run, Concierge and implicit alternately."""
    from threadpoolctl import threadpool_info, threadpool_limits
    import implicit

    sets = [DataSet(os.path.join(args.data, name)) for name in args.sets]
    records = {data.name: {"equal": {}, **{scope: {} for scope in data.scopes}} for data in sets}
    for data in sets:
        open(data.model_path("popularity.popularity"), "w").close()
    load_before = os.getloadavg()
    # implicit's own advice: BLAS single-threaded, parallelism from implicit's num_threads.
    with threadpool_limits(limits=1, user_api="blas"):
        for run in range(args.runs):
            for data in sets:
                print(f"run {run + 1}/{args.runs}: {data.name}", file=sys.stderr)
                compare_equal(data, run, args.bench, records[data.name]["equal"])
                for scope in data.scopes:
                    compare_selected(data, scope, run, args.bench, records[data.name][scope])
    for data in sets:
        write_json(data.path("implicit-run.json"), records[data.name])
    write_json(os.path.join(args.data, "run.json"), {
        "runs": args.runs, "load_before": load_before, "load_after": os.getloadavg(),
        "implicit": implicit.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "blas": [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
                 for i in threadpool_info() if i["user_api"] == "blas"],
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    })


# The report ------------------------------------------------------------------------------------------


def mean_sd(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def seconds_cell(values):
    if not values:
        return "–"
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        swift_version = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        swift_version = "swift: unknown"
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}; {swift_version}; Python {platform.python_version()}"


class Report:
    METRICS = (("precision", "P@10"), ("map", "MAP@10"), ("ndcg", "NDCG@10"))

    def __init__(self, args):
        self.args = args
        self.run = read_json(os.path.join(args.data, "run.json"))
        self.runs = self.run["runs"]
        self.sets = [DataSet(os.path.join(args.data, name)) for name in args.sets]
        self.lines, self.targets, self.gaps = [], [], []

    def out(self, text=""):
        self.lines.append(text)

    def table(self, header, rows):
        self.out("| " + " | ".join(header) + " |")
        self.out("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in rows:
            self.out("| " + " | ".join(row) + " |")
        self.out()

    def metrics(self, data, scope):
        """name -> metrics by implicit.evaluation; the gaps to RankingMetrics are collected."""
        theirs = read_json(data.path(f"implicit-eval-{scope}.json"))
        ours = read_json(data.path(f"concierge-eval-{scope}.json"))
        for name in theirs:
            gap = max(abs(theirs[name][key] - ours[name][key]) for key, _ in self.METRICS)
            self.gaps.append((gap, data.name, scope, name))
        return theirs

    @staticmethod
    def seeds(metrics, prefix):
        return [metrics[name] for name in sorted(metrics) if re.fullmatch(re.escape(prefix) + r"-s\d+", name)]

    def metric_cells(self, values):
        """One model (a metrics dict) or several seeds of one (a list: mean ± sd)."""
        if isinstance(values, dict):
            return [f"{values[key]:.4f}" for key, _ in self.METRICS]
        return ["{:.4f} ± {:.4f}".format(*mean_sd([v[key] for v in values])) for key, _ in self.METRICS]

    def seed_means(self, values):
        if not values:
            return "–"
        means = [mean_sd([v[key] for v in values]) for key, _ in self.METRICS]
        return f"{means[0][0]:.4f} / {means[1][0]:.4f} (±{means[1][1]:.4f}) / {means[2][0]:.4f}"

    def pair(self, data, label, record, metrics, prefix):
        """An equal-settings pair: time ratio and metric differences (Δ of seed means, 2 SE) as a target."""
        ours_seconds, theirs_seconds = statistics.median(record["concierge"]), statistics.median(record["implicit"])
        self.targets.append((f"ALS fit time ≤ implicit CG's: {label}", data.name,
                             f"{ours_seconds:.3f} s vs {theirs_seconds:.3f} s ({ours_seconds / theirs_seconds:.2f}×)",
                             ours_seconds <= theirs_seconds))
        if prefix is None:
            return
        ours, theirs = self.seeds(metrics, f"concierge-{prefix}"), self.seeds(metrics, f"implicit-{prefix}")
        cells, equal = [], True
        for key, name in self.METRICS:
            (mean_ours, sd_ours), (mean_theirs, sd_theirs) = mean_sd([v[key] for v in ours]), mean_sd([v[key] for v in theirs])
            error = ((sd_ours ** 2 + sd_theirs ** 2) / len(ours)) ** 0.5
            equal &= abs(mean_ours - mean_theirs) <= 2 * error
            cells.append(f"{name} {mean_ours:.4f} vs {mean_theirs:.4f} (Δ {mean_ours - mean_theirs:+.4f}, 2 SE {2 * error:.4f})")
        self.targets.append((f"equal metrics at equal settings: {label}", data.name, "; ".join(cells), equal))

    def render(self):
        self.out("# Concierge against implicit: training time and ranking quality")
        self.out()
        load = ", ".join(f"{x:.2f}" for x in self.run["load_before"])
        load_after = ", ".join(f"{x:.2f}" for x in self.run["load_after"])
        self.out(f"- command: `{self.args.invocation}` ({self.runs} runs; {self.run['date']})")
        self.out(f"- machine: {machine()}")
        self.out(f"- implicit {self.run['implicit']}, numpy {self.run['numpy']}, scipy {self.run['scipy']}, "
                 f"BLAS {', '.join(self.run['blas'])}, limited to 1 thread (implicit's advice); implicit's and "
                 f"Concierge's own threads: {self.sets[0].hyper['threads']} unless a column says otherwise")
        at_start = f"{self.args.load_at_start.replace(' ', ', ')} when the script started, " if self.args.load_at_start else ""
        self.out(f"- load average (1, 5, 15 min): {at_start}{load} just before the timed run (after the selection "
                 f"runs), {load_after} after it; the timed run itself keeps about 2 threads busy")
        self.out("- split: ConciergeModel's `TrainTestSplit` holds out 20 % of each guest's items (seed 42, as "
                 "`concierge train` does); the selection's validation part is cut from the training part only "
                 "(20 %, seed 43). Both libraries read the same files.")
        self.out("- metrics: precision@10, MAP@10 and NDCG@10 on the holdout, computed by implicit.evaluation."
                 "ranking_metrics_at_k (which filters each guest's training items). Every model was also scored by "
                 "ConciergeModel's RankingMetrics through Concierge's own recommend paths: {gaps}")
        self.out()
        self.out("## Data sets")
        self.out()
        for data in self.sets:
            train, test = data.matrix("train"), data.matrix("test")
            self.out(f"- **{data.name}**: {read_json(data.path('about.json'))['about']}; {train.nnz} train / "
                     f"{test.nnz} test cells, {int((np.diff(test.indptr) > 0).sum())} guests evaluated")
        self.out()
        self.equal_section()
        self.selection_section()
        self.targets_section()
        return "\n".join(self.lines).replace("{gaps}", self.gap_text())

    def gap_text(self):
        item_item_hotel = [g for g in self.gaps if g[2] == "hotel" and ("cosine" in g[3] or "itemitem" in g[3])]
        largest = max(g[0] for g in self.gaps if g not in item_item_hotel)
        text = "the two agree exactly" if largest == 0 else f"the two agree to {largest:.1e}"
        if item_item_hotel:
            text += (f", except for item-item in the hotel scope ({max(item_item_hotel)[0]:.1e}), where implicit's "
                     "recommend(..., items=...) fills a short list with unscored menu items and ConciergeModel's "
                     "ItemItemModel does not; the tables show implicit.evaluation's numbers")
        return text + "."

    def equal_section(self):
        h = self.sets[0].hyper
        self.out("## 1. Equal hyper-parameters (catalogue scope)")
        self.out()
        self.out(f"ALS: factors {h['factors']}, regularization {h['regularization']}, alpha {h['alpha']}, "
                 f"{h['iterations']} iterations, {h['cg_steps']} CG steps, implicit's confidence (c = alpha·units; "
                 f"ConciergeModel's `.implicitLibrary`), seeds {h['seed']}…{h['seed'] + self.runs - 1}. Item-item: "
                 f"cosine, {h['neighbours']} neighbours (implicit's `CosineRecommender(K={h['neighbours'] + 1})`: its "
                 f"lists keep the item itself). Fit wall time only, median (min–max) of {self.runs} runs; in each run "
                 f"the two libraries fit back to back, in alternating order. Metrics: mean ± sd over the {self.runs} "
                 f"seeds of the {h['threads']}-thread fits.")
        self.out()
        for data in self.sets:
            record = read_json(data.path("implicit-run.json"))["equal"]
            metrics = self.metrics(data, "catalogue")
            threads = sorted(int(key.split("/")[1]) for key in record if key.startswith("als/"))
            header = ["model"] + [f"fit s, {t} thread{'s' if t > 1 else ''}" for t in threads] + [m for _, m in self.METRICS]
            rows = []
            for library, title in (("implicit", "implicit ALS (CG)"), ("concierge", "Concierge ImplicitALS")):
                rows.append([title] + [seconds_cell(record[f"als/{t}"][library]) for t in threads]
                            + self.metric_cells(self.seeds(metrics, f"{library}-als")))
            ratios = [statistics.median(record[f"als/{t}"]["concierge"]) / statistics.median(record[f"als/{t}"]["implicit"])
                      for t in threads]
            differences = []
            for key, _ in self.METRICS:
                ours = mean_sd([v[key] for v in self.seeds(metrics, "concierge-als")])[0]
                differences.append(f"{ours - mean_sd([v[key] for v in self.seeds(metrics, 'implicit-als')])[0]:+.4f}")
            rows.append(["Concierge ÷ implicit (time), Concierge − implicit (metrics)"]
                        + [f"**{r:.2f}×**" for r in ratios] + differences)
            for t in threads:
                self.pair(data, f"section 1, {t} thread{'s' if t > 1 else ''}", record[f"als/{t}"], metrics,
                          "als" if t == h["threads"] else None)
            blank = ["–"] * (len(threads) - 1)
            rows.append(["implicit CosineRecommender"] + blank + [seconds_cell(record["cosine"]["implicit"])]
                        + self.metric_cells(metrics["implicit-cosine"]))
            rows.append(["Concierge ItemSimilarity.cosine + ItemItemModel"] + blank + [seconds_cell(record["cosine"]["concierge"])]
                        + self.metric_cells(metrics["concierge-cosine"]))
            rows.append(["popularity (distinct guests)"] + ["–"] * len(threads) + self.metric_cells(metrics["popularity"]))
            self.out(f"### {data.name}")
            self.out()
            self.table(header, rows)

    def selection_section(self):
        self.out("## 2. The tuned, selected model against implicit's best")
        self.out()
        self.out("Concierge's selection is `concierge train`'s (ModelTrainer's): popularity by distinct guests and by "
                 "units, item-item cosine (50 neighbours), EASE over λ {1, 3, 10, 30, 100, 300, 1000, 3000, 10000} × {binary, units} X, "
                 "and ALS over factors {16, 32, 64} × regularization {0.01, 0.1, 1, 10} × alpha "
                 "{1, 10, 40} (confidence 1 + alpha·units, 15 iterations, seed 42) are fitted on the fit part and "
                 "compared by MAP@10 on the validation part, in the table's scope; the best is refitted on the whole "
                 "training part and measured on the holdout. implicit gets the same chances: its ALS tuned the same "
                 "way (same grid, same fit and validation files, same scope, its own confidence alpha·units), its ALS "
                 "at exactly the settings Concierge chose (fed 1 + alpha·units with alpha = 1, which is Concierge's "
                 "confidence), its ALS at section 1's settings, its CosineRecommender, and an EASE baseline in NumPy "
                 "(LAPACK's inverse) tuned over the same EASE grid on the same files. The single-model columns "
                 "are the seed-42 fits (section 1's: its first seed), the model `concierge train` would publish; the "
                 f"last column is the mean over {self.runs} seeds. Fit times: median of {self.runs}, each ALS pair at "
                 "equal settings interleaved.")
        self.out()
        for data in self.sets:
            record = read_json(data.path("implicit-run.json"))
            for scope in data.scopes:
                self.selection_table(data, scope, record[scope], record["equal"])

    def selection_table(self, data, scope, record, equal):
        selection = read_json(data.path(f"selection-{scope}.json"))
        metrics = self.metrics(data, scope)
        chosen, tuned, h = selection["chosen"], record["tuning"]["chosen"], data.hyper

        def settings(c):
            if c["kind"] == "ease":
                return f"λ {c['lambda']:g}, {c['input']} X"
            return f"{c['factors']} f, λ {c['regularization']:g}, α {c['alpha']:g}" if c["kind"] == "als" else ""

        selected = metrics[f"concierge-selected-{scope}"]
        is_als = chosen["kind"] == "als"
        rows = [[f"**Concierge selected: {chosen['description']}**", settings(chosen),
                 seconds_cell(record["chosen"]["concierge"] if is_als else []),
                 *[f"**{c}**" for c in self.metric_cells(selected)],
                 self.seed_means(self.seeds(metrics, f"concierge-chosen-{scope}"))]]
        rivals = []  # (title, settings, times, seed-42 metrics, seeds)
        if is_als:
            rivals.append(("implicit ALS at Concierge's chosen settings (c = 1 + α·units)", settings(chosen),
                           record["chosen"]["implicit"], metrics[f"implicit-chosen-{scope}-s0"],
                           self.seeds(metrics, f"implicit-chosen-{scope}")))
        rivals.append(("implicit ALS tuned the same way (c = α·units)", settings(tuned), record["tuned"]["implicit"],
                       metrics[f"implicit-tuned-{scope}-s0"], self.seeds(metrics, f"implicit-tuned-{scope}")))
        rivals.append(("implicit ALS at section 1's settings (c = α·units)", settings({"kind": "als", **h}),
                       equal[f"als/{h['threads']}"]["implicit"], metrics["implicit-als-s0"], self.seeds(metrics, "implicit-als")))
        rivals.append((f"implicit CosineRecommender (K = {h['neighbours'] + 1})", "", equal["cosine"]["implicit"],
                       metrics["implicit-cosine"], []))
        rivals.append(("popularity (distinct guests)", "", [], metrics["popularity"], []))
        ease = record["ease"]
        rivals.append(("EASE baseline (NumPy, λ and input tuned the same way)", settings(ease["chosen"]),
                       [ease["fit_seconds"]], metrics[f"implicit-ease-{scope}"], []))
        for title, cells, times, values, seeds in rivals:
            rows.append([title, cells, seconds_cell(times), *self.metric_cells(values), self.seed_means(seeds)])
        best = {key: max(values[key] for _, _, _, values, _ in rivals) for key, _ in self.METRICS}
        rows.append(["*selected − best of implicit's rows above*", "", "",
                     *[f"*{selected[key] - best[key]:+.4f}*" for key, _ in self.METRICS], ""])
        through_http = read_json(data.path(f"http-{scope}.json"), default={})
        if through_http:
            rows.append([f"Concierge through /recommend: export → ingest → `concierge train` (chose "
                         f"{through_http['chosen']}) → serve", "", "", *self.metric_cells(through_http), "–"])
            rows.append(["*through /recommend − best of implicit's rows*", "", "",
                         *[f"*{through_http[key] - best[key]:+.4f}*" for key, _ in self.METRICS], ""])
            self.targets.append((
                "through /recommend ≥ best of implicit's ALS, cosine, popularity and EASE", f"{data.name}, {scope} scope",
                ", ".join(f"{name} {through_http[key]:.4f} vs {best[key]:.4f} ({through_http[key] - best[key]:+.4f})"
                          for key, name in self.METRICS),
                all(through_http[key] >= best[key] for key, _ in self.METRICS)))
        rows.append(["Concierge ALS at implicit's tuned settings (c = α·units)", settings(tuned),
                     seconds_cell(record["tuned"]["concierge"]), *self.metric_cells(metrics[f"concierge-tuned-{scope}-s0"]),
                     self.seed_means(self.seeds(metrics, f"concierge-tuned-{scope}"))])
        rows.append(["Concierge item-item (the selection's baseline)", "", "–",
                     *self.metric_cells(metrics[f"concierge-itemitem-{scope}"]), "–"])

        self.out(f"### {data.name}, {SCOPE_TITLES[scope]}")
        self.out()
        # The chosen candidate's own validation metrics, and the best other one's by MAP: the selection breaks
        # near-ties in MAP by precision, so the chosen one need not have the best MAP.
        def validated(v):
            m = v["metrics"]
            return (f"{v['candidate']['description']} (validation MAP@10 {m['map']:.4f}, P@10 {m['precision']:.4f}, "
                    f"NDCG@10 {m['ndcg']:.4f})")

        picked = next(v for v in selection["validation"] if v["candidate"]["description"] == chosen["description"])
        runner_up = max((v for v in selection["validation"] if v is not picked), key=lambda v: v["metrics"]["map"])
        tuned_validation = max(v["metrics"]["map"] for v in record["tuning"]["validation"])
        self.out(f"Concierge chose {validated(picked)}; the best other candidate by MAP is {validated(runner_up)} "
                 f"({selection['selection_seconds']:.1f} s for {len(selection['validation'])} candidates). implicit's "
                 f"tuning chose {settings(tuned)}: validation MAP@10 {tuned_validation:.4f}.")
        cross_check = self.cli_cross_check(data, scope, selection)
        if cross_check:
            self.out()
            self.out(cross_check)
        self.out()
        self.table(["model", "settings", "fit s", *[name for _, name in self.METRICS],
                    f"P@10 / MAP@10 (± sd) / NDCG@10, mean of {self.runs} seeds"], rows)
        selected_seeds = self.seeds(metrics, f"concierge-chosen-{scope}")
        seed_note = ""
        if selected_seeds:
            best_seeded = max(((title, mean_sd([v["map"] for v in seeds])[0]) for title, _, _, _, seeds in rivals if seeds),
                              key=lambda pair: pair[1])
            seed_note = (f"; mean of {self.runs} seeds: MAP@10 {mean_sd([v['map'] for v in selected_seeds])[0]:.4f} vs "
                         f"{best_seeded[1]:.4f} ({best_seeded[0]})")
        self.targets.append((
            "selected ≥ best of implicit's ALS, cosine and popularity", f"{data.name}, {scope} scope",
            ", ".join(f"{name} {selected[key]:.4f} vs {best[key]:.4f} ({selected[key] - best[key]:+.4f})"
                      for key, name in self.METRICS) + seed_note,
            all(selected[key] >= best[key] for key, _ in self.METRICS)))
        if is_als:
            self.pair(data, f"Concierge's chosen settings, {scope} scope", record["chosen"], metrics, f"chosen-{scope}")
        self.pair(data, f"implicit's tuned settings, {scope} scope", record["tuned"], metrics, f"tuned-{scope}")

    def cli_cross_check(self, data, scope, selection):
        """`concierge train` on the same store: the model its holdout measured (its selection's choice on its training
        part, the first line of its holdout table) and that model's holdout metrics must be ours (hotel scope). What
        it serves is its selection's choice on all data, which this benchmark does not run."""
        path = data.path("concierge-train.log")
        if scope != "hotel" or not os.path.exists(path):
            return None
        with open(path) as f:
            log = f.read()
        served = re.search(r"^chosen: (.*) in ", log, re.M)
        holdout = re.search(r"^holdout \(.*\n  (.*): ([\d.]+)  ([\d.]+)  ([\d.]+)", log, re.M)
        if not served or not holdout:
            return "**`concierge train` cross-check: could not read its output.**"
        measured, figures = holdout.group(1), holdout.groups()[1:]
        ours = selection["holdout"][0]["metrics"]
        same = measured == selection["chosen"]["description"] and all(
            abs(a - b) < 6e-5 for a, b in zip((ours["precision"], ours["map"], ours["ndcg"]), map(float, figures)))
        serves = ("the same model on all data" if served.group(1) == measured else
                  f"its choice on all data, {served.group(1)}")
        return (f"`concierge train` on the same feature store chose {measured} on its training part, holdout P@10 / "
                f"MAP@10 / NDCG@10 {' / '.join(figures)}, and serves {serves}: "
                + ("the same choice and metrics as this benchmark's run of the selection." if same else
                   "**not what this benchmark's run of the selection found: investigate.**"))

    def targets_section(self):
        self.out("## Targets")
        self.out()
        self.out("Equal metrics: the difference of the seed means is within two standard errors (with this many "
                 "comparisons, about one in twenty fails by chance; re-run a failing pair with more seeds).")
        self.out()
        self.table(["target", "data set", "measured", "met"],
                   [[t, d, m, "yes" if ok else "**no**"] for t, d, m, ok in self.targets])


def report(args):
    text = Report(args).render()
    print(text)
    with open(os.path.join(args.data, "report.md"), "w") as f:
        f.write(text + "\n")


# Same start ------------------------------------------------------------------------------------------


def same_start(args):
    """implicit's ALS on one thread from initial factors drawn here; the Swift side then runs
    ConciergeModel's half-steps from the same factors and compares where both end up."""
    from threadpoolctl import threadpool_limits

    data = DataSet(args.data)
    train, h = data.matrix("train"), data.hyper
    rng = np.random.default_rng(h["seed"])
    users = rng.random((train.shape[0], h["factors"]), dtype=np.float32) * 0.01
    items = rng.random((train.shape[1], h["factors"]), dtype=np.float32) * 0.01
    write_factors(data.path("init_user.f32"), users)
    write_factors(data.path("init_item.f32"), items)
    with threadpool_limits(limits=1, user_api="blas"):
        model = implicit_als(h["factors"], h["regularization"], h["alpha"], h["iterations"], h["cg_steps"], 1, None)
        model.user_factors, model.item_factors = users.copy(), items.copy()
        model.fit(train, show_progress=False)
    write_factors(data.path("same_user.f32"), model.user_factors)
    write_factors(data.path("same_item.f32"), model.item_factors)
    m = score(model, data, "catalogue")
    print("same start: implicit " + ", ".join(f"{key} {value:.4f}" for key, value in m.items()))


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
    m = sub.add_parser("movielens")
    m.add_argument("--wheel", required=True, help="RecBole's wheel, which carries MovieLens 100K")
    m.add_argument("--data", required=True)
    x = sub.add_parser("export-orders")
    x.add_argument("--data", required=True)
    x.add_argument("--out", required=True)
    h = sub.add_parser("through-http")
    h.add_argument("--data", required=True)
    h.add_argument("--url", required=True, help="a `concierge serve` of the version trained on export-orders' file")
    h.add_argument("--train-log", help="`concierge train`'s output, for the model it chose")
    s = sub.add_parser("from-store")
    s.add_argument("--store", required=True)
    s.add_argument("--data", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--data", required=True, help="the directory holding the data-set directories")
    c.add_argument("--sets", nargs="+", required=True)
    c.add_argument("--runs", type=int, default=5)
    c.add_argument("--bench", required=True, help="concierge-training-bench")
    e = sub.add_parser("evaluate")
    e.add_argument("--data", required=True)
    e.add_argument("--scope", choices=sorted(SCOPE_TITLES), required=True)
    r = sub.add_parser("report")
    r.add_argument("--data", required=True)
    r.add_argument("--sets", nargs="+", required=True)
    r.add_argument("--invocation", default="Benchmarks/training/compare_implicit.sh", help="shown in the report")
    r.add_argument("--load-at-start", help="the load average when the script started, shown in the report")
    a = sub.add_parser("same-start")
    a.add_argument("--data", required=True)
    args = parser.parse_args()
    {"generate": generate, "movielens": movielens, "export-orders": export_orders,
     "through-http": through_http, "from-store": from_store, "compare": compare, "evaluate": evaluate, "report": report,
     "same-start": same_start}[args.command](args)


if __name__ == "__main__":
    main()
