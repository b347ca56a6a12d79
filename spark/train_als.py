"""Spark MLlib's implicit ALS for `concierge train --engine spark`.

Concierge writes a request (JSON): every fit names a folder of CSV partitions (user index, item index,
units; no header) and Spark's own ALS parameters. For each fit this job writes the user and item factors as
JSON Lines partitions ({"id": index, "features": [...]}) under the fit's output folder, then run.json with
the Spark version and master: written last, so a run that stopped half-way has none.
"""

import json
import sys

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession
from pyspark.sql.types import FloatType, IntegerType, StructField, StructType

INTERACTIONS = StructType(
    [
        StructField("user", IntegerType(), False),
        StructField("item", IntegerType(), False),
        StructField("units", FloatType(), False),
    ]
)


def main(request_path):
    with open(request_path, encoding="utf-8") as request_file:
        request = json.load(request_file)
    spark = SparkSession.builder.appName("concierge-als").getOrCreate()
    datasets = {}
    for fit in request["fits"]:
        if fit["data"] not in datasets:
            # A dataset serves several fits (the grid), so it is read and parsed once.
            datasets[fit["data"]] = spark.read.csv(fit["data"], schema=INTERACTIONS, mode="FAILFAST").cache()
        als = ALS(
            implicitPrefs=True,
            rank=fit["rank"],
            maxIter=fit["maxIter"],
            regParam=fit["regParam"],
            alpha=fit["alpha"],
            seed=fit["seed"],
            userCol="user",
            itemCol="item",
            ratingCol="units",
        )
        model = als.fit(datasets[fit["data"]])
        model.userFactors.write.mode("overwrite").json(fit["output"] + "/users")
        model.itemFactors.write.mode("overwrite").json(fit["output"] + "/items")
        print(f"concierge-als: fitted {fit['output']}", flush=True)
    with open(request["run"], "w", encoding="utf-8") as run_file:
        json.dump({"spark_version": spark.version, "master": spark.sparkContext.master}, run_file)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
