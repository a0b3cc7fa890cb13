"""Regenerate the bundled demo prediction log and its outcomes:
data/predictions.sqlite and data/conversions.csv (the examples of
`leadscore outcomes --help` and README run on them).

Starts the release leadscore-serve on a free port of 127.0.0.1 with the
bundled models (default answering, challenger in shadow mode) and a fresh log,
scores the newest 200 leads of data/leads.csv one request each (the first 25
twice, as a lead is re-scored when it comes back), stops the server (SIGTERM:
the log is flushed), and writes each lead's outcome to data/conversions.csv.

    cargo build --release --bins && python3 scripts/demo_log.py
"""
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.expanduser("~"), ".cache", "leadscore-target"))
SERVE = os.environ.get("LEADSCORE_SERVE", os.path.join(TARGET, "release", "leadscore-serve"))
LOG = os.path.join(ROOT, "data", "predictions.sqlite")
OUTCOMES = os.path.join(ROOT, "data", "conversions.csv")


def lead(row):
    out = {}
    for k, v in row.items():
        if k == "converted":
            continue
        if v == "":
            out[k] = None
            continue
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
    return out


def main():
    rows = list(csv.DictReader(open(os.path.join(ROOT, "data", "leads.csv"), newline="")))
    newest = rows[-200:]
    for path in (LOG, LOG + "-wal", LOG + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    server = subprocess.Popen(
        [SERVE, "--models-dir", os.path.join(ROOT, "models"), "--default-model", "default",
         "--shadow", "challenger", "--log-db", LOG, "--addr", "127.0.0.1:0"],
        stderr=subprocess.PIPE, text=True)
    addr = None
    for line in server.stderr:
        if "listening on http://" in line:
            addr = line.split("listening on http://")[1].split()[0]
            break
    if addr is None:
        sys.exit("leadscore-serve did not start")
    for row in newest + newest[:25]:
        request = urllib.request.Request(
            f"http://{addr}/v1/score", data=json.dumps(lead(row)).encode(),
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
    server.send_signal(signal.SIGTERM)
    server.communicate(timeout=30)
    db = sqlite3.connect(LOG)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("VACUUM")
    n = db.execute("SELECT count(*) FROM leadscore_predictions").fetchone()[0]
    db.close()
    with open(OUTCOMES, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["lead_id", "converted"])
        for row in newest:
            w.writerow([row["lead_id"], row["converted"]])
    print(f"{LOG}: {n} logged scores; {OUTCOMES}: {len(newest)} outcomes")


if __name__ == "__main__":
    main()
