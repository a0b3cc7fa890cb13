"""Rows per second of the same model scored three ways on the same generated leads:
`leadscore score` on the file, the exported SQL in DuckDB, and in Spark SQL (local mode).

    python3 benches/compare/warehouse.py [ROWS]        # default 10,000,000

Generates the leads (`leadscore generate --rows ROWS --seed 7`), exports models/default.json for
each engine (`leadscore export --format sql`), then times
  - leadscore: `leadscore score` CSV in, Parquet out (read, encode, score, write);
  - DuckDB: the CSV loaded into a typed table (timed apart), then `CREATE TABLE scores AS` the
    exported query (every row computed and stored);
  - Spark: the typed CSV read and the exported query run to the end (`noop` sink), local[2].
Needs a release build (LEADSCORE_BIN, else the cargo target folder), duckdb and pyspark.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
NUMERIC = ["website_visits", "pages_per_visit", "time_on_site_min", "pricing_page_views", "email_opens",
           "email_clicks"]


def binary():
    if os.environ.get("LEADSCORE_BIN"):
        return os.environ["LEADSCORE_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(pathlib.Path(target) / "release" / "leadscore")


def timed(label, rows, action):
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"| {label} | {seconds:.1f} s | {rows / seconds:,.0f} |", flush=True)
    return seconds


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    leadscore = binary()
    model = ROOT / "models" / "default.json"
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        data = work / "leads.csv"
        subprocess.run([leadscore, "generate", "--rows", str(rows), "--seed", "7", "--out", str(data)],
                       check=True, capture_output=True)
        header = data.open().readline().strip().split(",")
        queries = {}
        for dialect in ["duckdb", "spark"]:
            out = work / f"{dialect}.sql"
            subprocess.run([leadscore, "export", "--model", str(model), "--format", "sql", "--dialect", dialect,
                            "--table", "leads", "--id", "lead_id", "--out", str(out)], check=True,
                           capture_output=True)
            queries[dialect] = out.read_text().rstrip().rstrip(";")
        print(f"{rows:,} generated leads, models/default.json\n")
        print("| engine | time | rows/s |")
        print("|---|---|---|")
        timed("leadscore score (CSV in, Parquet out)", rows, lambda: subprocess.run(
            [leadscore, "score", "--model", str(model), "--input", str(data), "--output", str(work / "s.parquet")],
            check=True, capture_output=True))

        import duckdb
        con = duckdb.connect(str(work / "leads.duckdb"))
        spec = ", ".join(f"'{c}': '{'DOUBLE' if c in NUMERIC else 'VARCHAR'}'" for c in header)
        timed("DuckDB: load the CSV into a typed table (not scoring)", rows, lambda: con.execute(
            f"CREATE TABLE leads AS SELECT * FROM read_csv('{data}', header=true, columns={{{spec}}})"))
        timed("DuckDB: the exported query into a table", rows, lambda: con.execute(
            f"CREATE TABLE scores AS {queries['duckdb']}"))
        con.close()

        from pyspark.sql import SparkSession
        from pyspark.sql.types import DoubleType, StringType, StructField, StructType
        spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                 .config("spark.driver.memory", "4g").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.driver.host", "127.0.0.1").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        schema = StructType([StructField(c, DoubleType() if c in NUMERIC else StringType()) for c in header])
        spark.read.option("header", "true").schema(schema).csv(str(data)).createOrReplaceTempView("leads")
        timed("Spark SQL local[2]: CSV scan + the exported query", rows,
              lambda: spark.sql(queries["spark"]).write.format("noop").mode("overwrite").save())
        spark.stop()


if __name__ == "__main__":
    main()
