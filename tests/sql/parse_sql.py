"""Parse leadscore's exported SQL with sqlglot for a dialect that cannot run here.

    python3 tests/sql/parse_sql.py DIALECT QUERY.sql

DIALECT is a sqlglot dialect name (bigquery, snowflake, ...). Exits non-zero with sqlglot's
message when the query does not parse; prints {"statements": N, "selects": M} when it does.
"""
import json
import subprocess
import sys

try:
    import sqlglot
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--root-user-action=ignore", "sqlglot"], check=True)
    import sqlglot
from sqlglot import exp


def main(dialect, query):
    statements = sqlglot.parse(open(query).read(), read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    statements = [s for s in statements if s is not None]
    selects = sum(1 for s in statements for _ in s.find_all(exp.Select))
    print(json.dumps({"statements": len(statements), "selects": selects}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
