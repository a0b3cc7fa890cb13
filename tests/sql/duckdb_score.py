"""Run leadscore's exported SQL in DuckDB (the Python package) on a CSV file.

    python3 tests/sql/duckdb_score.py DATA.csv QUERY.sql TYPES.json

TYPES.json maps every column of DATA.csv to its SQL type (DOUBLE, DATE or VARCHAR). The table is
created as `leads` with those types, loaded from the file (empty cells are NULL), and the query
is run on it. Prints the rows as JSON: [[id, probability, stage, points, reasons…], ...].
"""
import csv
import json
import subprocess
import sys

try:
    import duckdb
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--root-user-action=ignore", "duckdb"], check=True)
    import duckdb


def main(data, query, types):
    columns = json.load(open(types))
    with open(data, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    con = duckdb.connect()
    # read_csv takes the columns in the file's order.
    spec = ", ".join(f"'{name}': '{columns[name]}'" for name in header)
    con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv(?, header=true, columns={{{spec}}}, "
                "quote='\"', escape='\"', nullstr='')", [data])
    rows = con.execute(open(query).read().rstrip().rstrip(";")).fetchall()
    print(json.dumps([list(r) for r in rows]))


if __name__ == "__main__":
    main(*sys.argv[1:4])
