#!/usr/bin/env bash
# README's test command: installs what the tests need, then runs them all.
#   - Python reference tools: scikit-learn, SciPy (parity and metric tests),
#     openapi-spec-validator (the OpenAPI document test);
#   - headless Chromium (the HTML report test renders the report in it);
#   - DuckDB's Python package, pyspark (with Java) and the PostgreSQL 15 server
#     (the SQL export is run inside each; the test starts its own server on a
#     free port), and sqlglot (BigQuery and Snowflake SQL is parsed);
#   - nbclient, ipykernel, pandas and matplotlib (the notebooks in notebooks/
#     are executed headless, top to bottom), Pillow (the report screenshot
#     test counts its pixels).
# Idempotent: what is already installed is not installed again. Arguments are
# passed to `cargo test --release` (e.g. `bash scripts/test.sh service`).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PIP_PACKAGES=("scikit-learn>=1.5" numpy scipy "openapi-spec-validator>=0.7" "duckdb>=1.1" "pyspark>=3.5" "sqlglot>=25"
  nbclient nbformat ipykernel pandas matplotlib pillow)
if ! python3 -c "import sklearn, scipy, numpy, openapi_spec_validator, duckdb, pyspark, sqlglot, nbclient, nbformat, ipykernel, pandas, matplotlib, PIL" 2>/dev/null; then
  echo "== installing the Python reference tools (pip)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${PIP_PACKAGES[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "${PIP_PACKAGES[@]}"
fi
if ! command -v java >/dev/null 2>&1; then
  echo "== installing Java for Spark (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing headless Chromium (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "== installing the PostgreSQL 15 server (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 >/dev/null
fi

echo "== cargo test --release"
cargo test --release "$@"
