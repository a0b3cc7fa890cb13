#!/usr/bin/env bash
# Load benchmark of leadscore-serve (not a test): starts the release server on
# 127.0.0.1 with the bundled model and drives it with wrk (Debian's package)
# for a bounded time, once with single-lead requests and once with 100-lead
# batches. Prints requests/s, leads/s, p50/p99 latency, errors and the
# server's peak RSS.
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

"$SERVER" --model models/default.json --addr 127.0.0.1:0 --log-level warn,leadscore_serve=info \
  2> "$WORK/server.log" &
PID=$!
for _ in $(seq 1 100); do
  ADDR="$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" | sed 's|.*http://||' || true)"
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "$ADDR" ] || { cat "$WORK/server.log"; exit 1; }

echo "leadscore-serve $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $ADDR; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; $(nproc) cores shared by client and server"
printf '%-22s %12s %12s %10s %10s %8s\n' scenario "requests/s" "leads/s" "p50 ms" "p99 ms" errors
for kind in one batch; do
  leads=1; [ "$kind" = batch ] && leads=100
  line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/$kind.lua" "http://$ADDR/v1/score" | grep '^RESULT')"
  eval "$(echo "$line" | sed 's/^RESULT //')"
  rps="$(python3 -c "print(f'{$requests / $seconds:.0f}')")"
  lps="$(python3 -c "print(f'{$requests * $leads / $seconds:.0f}')")"
  printf '%-22s %12s %12s %10s %10s %8s\n' "$([ "$kind" = one ] && echo '1 lead / request' || echo '100 leads / request')" \
    "$rps" "$lps" "$p50_ms" "$p99_ms" "$((errors + non2xx))"
done
echo "peak RSS of the server: $(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' /proc/$PID/status)"
