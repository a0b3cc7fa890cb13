"""Evaluate points-rule conditions in DuckDB, the reference for leadscore's own evaluator.

    python3 tests/duckdb_conditions.py DATA.csv CONDITIONS.json

A column whose every non-empty value is a number is loaded as DOUBLE, any other as VARCHAR;
empty cells are NULL. Prints, for each condition, whether each row matches (NULL does not):
[[true, false, ...], ...] in the file's row order.
"""
import csv
import json
import sys

import duckdb


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def main(data, conditions):
    with open(data, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    types = {}
    for i, name in enumerate(header):
        values = [r[i] for r in body if r[i] != ""]
        types[name] = "DOUBLE" if values and all(is_number(v) for v in values) else "VARCHAR"
    con = duckdb.connect()
    spec = ", ".join(f"'{name}': '{types[name]}'" for name in header)
    con.execute(f"CREATE TABLE leads AS SELECT row_number() OVER () AS __row, * FROM read_csv(?, "
                f"header=true, columns={{{spec}}}, quote='\"', escape='\"', nullstr='')", [data])
    out = []
    for condition in json.load(open(conditions)):
        result = con.execute(f"SELECT COALESCE(({condition}), false) FROM leads ORDER BY __row").fetchall()
        out.append([bool(r[0]) for r in result])
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])
