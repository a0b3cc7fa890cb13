"""Run leadscore's exported SQL in Spark SQL (pyspark in local mode, the machine's Java).

    python3 tests/sql/spark_score.py DATA.csv QUERY.sql TYPES.json

TYPES.json maps every column of DATA.csv to DOUBLE, DATE or VARCHAR (the session runs in
UTC, as leadscore counts days). The file is read with that
schema (empty cells are NULL, quotes doubled inside quoted fields) as the temporary view
`leads`, and the query is run on it. Prints the rows as JSON: [[id, probability, stage,
points, reasons…], ...].
"""
import csv
import json
import subprocess
import sys

try:
    import pyspark  # noqa: F401
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--root-user-action=ignore", "pyspark"], check=True)
from pyspark.sql import SparkSession
from pyspark.sql.types import DateType, DoubleType, StringType, StructField, StructType


def main(data, query, types):
    columns = json.load(open(types))
    with open(data, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    kinds = {"DOUBLE": DoubleType(), "DATE": DateType()}
    schema = StructType([StructField(name, kinds.get(columns[name], StringType())) for name in header])
    spark = (SparkSession.builder.master("local[2]").appName("leadscore-sql-export")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        (spark.read.option("header", "true").option("quote", '"').option("escape", '"')
         .option("multiLine", "false").option("encoding", "UTF-8").schema(schema).csv(data)
         .createOrReplaceTempView("leads"))
        rows = spark.sql(open(query).read().rstrip().rstrip(";")).collect()
        print(json.dumps([list(r) for r in rows]))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
