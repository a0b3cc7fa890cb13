#!/usr/bin/env bash
# Load benchmark of leadscore-serve (not a test): starts the release server on
# 127.0.0.1 with the bundled model and drives it with wrk (Debian's package)
# for a bounded time, once with single-lead requests and once with 100-lead
# batches, three times: without a prediction log, with the SQLite log, and
# with the log and the challenger in shadow. Prints requests/s, leads/s,
# p50/p99 latency, errors, the server's peak RSS, the log's accounting
# (queued, dropped, failed; rows after shutdown) and the p99 ratio with the
# log against without (issue 15's target: at most 1.10).
#
#   bash benches/serve_load.sh                # 15 s per scenario, 32 connections
#   DURATION=30 CONNECTIONS=64 bash benches/serve_load.sh
#
# Client and server share the machine's cores, so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leadscore-target}"

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin leadscore-serve
SERVER="$CARGO_TARGET_DIR/release/leadscore-serve"

WORK="$(mktemp -d)"
PID=""
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Request bodies from the bundled sample leads: one lead, and 100 leads.
python3 - "$WORK" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open("data/leads.csv")))
def lead(r):
    out = {}
    for k, v in r.items():
        if v == "":
            out[k] = None
        else:
            try:
                out[k] = float(v) if any(c in v for c in ".eE") else int(v)
            except ValueError:
                out[k] = v
    return out
json.dump(lead(rows[0]), open(f"{sys.argv[1]}/one.json", "w"))
json.dump({"leads": [lead(r) for r in rows[1:101]]}, open(f"{sys.argv[1]}/batch.json", "w"))
PY

for kind in one batch; do
  cat > "$WORK/$kind.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/$kind.json", "rb")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.2f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
done

# Starts the server with extra flags; sets PID and ADDR.
start_server() {
  : > "$WORK/server.log"
  "$SERVER" --models-dir models --addr 127.0.0.1:0 --log-level warn,leadscore_serve=info "$@" \
    2> "$WORK/server.log" &
  PID=$!
  ADDR=""
  for _ in $(seq 1 100); do
    ADDR="$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" | sed 's|.*http://||' || true)"
    [ -n "$ADDR" ] && break
    sleep 0.1
  done
  [ -n "$ADDR" ] || { cat "$WORK/server.log"; exit 1; }
}

# Stops the server: SIGTERM, so a prediction log drains before it exits.
stop_server() {
  kill -TERM "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}

# Runs both request kinds against the running server; prints one row each
# and records p99 in P99_<setup>_<kind>.
run_scenarios() {
  local setup="$1"
  for kind in one batch; do
    leads=1; [ "$kind" = batch ] && leads=100
    line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/$kind.lua" "http://$ADDR/v1/score" | grep '^RESULT')"
    eval "$(echo "$line" | sed 's/^RESULT //')"
    rps="$(python3 -c "print(f'{$requests / $seconds:.0f}')")"
    lps="$(python3 -c "print(f'{$requests * $leads / $seconds:.0f}')")"
    printf '%-12s %-20s %12s %12s %10s %10s %8s\n' "$setup" \
      "$([ "$kind" = one ] && echo '1 lead / request' || echo '100 leads / request')" \
      "$rps" "$lps" "$p50_ms" "$p99_ms" "$((errors + non2xx))"
    eval "P99_${setup//[^a-z]/_}_$kind=$p99_ms"
  done
}

# Counts from the server's /metrics (prediction log accounting).
metric() {
  curl -s "http://$ADDR/metrics" | awk -v name="$1" '$1 == name {print $2}'
}

echo "leadscore-serve $(git rev-parse --short HEAD 2>/dev/null || echo '?'); wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; $(nproc) cores shared by client and server"
printf '%-12s %-20s %12s %12s %10s %10s %8s\n' setup scenario "requests/s" "leads/s" "p50 ms" "p99 ms" errors

start_server
run_scenarios no-log
echo "peak RSS of the server without a log: $(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' /proc/$PID/status)"
stop_server

# The same load with the prediction log on (SQLite, the default store), then
# with the challenger in shadow as well (two rows per lead).
start_server --log-db "$WORK/predictions.sqlite" --log-id lead_id
run_scenarios log
echo "prediction log: queued $(metric leadscore_prediction_log_queued_total), dropped $(metric leadscore_prediction_log_dropped_total), failed $(metric leadscore_prediction_log_failed_total)"
stop_server
echo "rows in the log after shutdown: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from leadscore_predictions').fetchone()[0])" "$WORK/predictions.sqlite")"

start_server --log-db "$WORK/shadow.sqlite" --log-id lead_id --shadow challenger
run_scenarios log+shadow
echo "prediction log: queued $(metric leadscore_prediction_log_queued_total), dropped $(metric leadscore_prediction_log_dropped_total), failed $(metric leadscore_prediction_log_failed_total)"
stop_server

python3 - "$P99_no_log_one" "$P99_log_one" "$P99_no_log_batch" "$P99_log_batch" <<'PY'
import sys
a1, l1, ab, lb = map(float, sys.argv[1:])
print(f"p99 with the log / without: 1 lead {l1 / a1:.3f} ({l1:.3f} vs {a1:.3f} ms), "
      f"100 leads {lb / ab:.3f} ({lb:.3f} vs {ab:.3f} ms); target <= 1.10")
PY
