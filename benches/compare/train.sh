#!/usr/bin/env bash
# Time `leadscore train` against pandas + scikit-learn on the same generated
# leads, in one run: wall time, peak memory and holdout ROC AUC of each, and
# the ratio.
#
#   bash benches/compare/train.sh 200000             # both tools
#   bash benches/compare/train.sh 10000000 --ours-only   # leadscore alone
#
# Generated leads (`leadscore generate --rows N --seed 5`), time split on
# created_at, lead_id / email / job_title left out (as in the measurements in
# README). The scikit-learn side (sklearn_train.py) encodes the columns as
# leadscore decided and runs LogisticRegressionCV over the same 7 penalties,
# 5 stratified folds, log loss, refit, on both cores (n_jobs=-1).
set -euo pipefail
rows="${1:?usage: train.sh ROWS [--ours-only]}"
mode="${2:-both}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
if [ "$mode" != "--ours-only" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    "scikit-learn>=1.5" pandas numpy
fi
(cd "$root" && cargo build --release --quiet --bin leadscore)
bin="${LEADSCORE_BIN:-$target/release/leadscore}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== generating $rows leads"
"$bin" generate --rows "$rows" --seed 5 --out "$work/leads.csv" >/dev/null

echo "== leadscore train"
/usr/bin/time -f "%e %M" -o "$work/ours.time" "$bin" train --data "$work/leads.csv" \
  --label converted --id lead_id --date created_at --exclude email,job_title \
  --out "$work/model.json" --json >"$work/ours.json"
read -r ours_s ours_kb <"$work/ours.time"
ours_auc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['holdout']['metrics']['roc_auc'])" "$work/ours.json")
echo "leadscore      ${ours_s} s  peak $((ours_kb / 1024)) MB  holdout ROC AUC ${ours_auc}"
[ "$mode" = "--ours-only" ] && exit 0

echo "== pandas + scikit-learn"
/usr/bin/time -f "%e %M" -o "$work/ref.time" python3 -W ignore "$root/benches/compare/sklearn_train.py" \
  "$work/leads.csv" "$work/model.json" >"$work/ref.json"
read -r ref_s ref_kb <"$work/ref.time"
ref_auc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['holdout_roc_auc'])" "$work/ref.json")
echo "scikit-learn   ${ref_s} s  peak $((ref_kb / 1024)) MB  holdout ROC AUC ${ref_auc}  ($(cat "$work/ref.json"))"
python3 - "$ours_s" "$ref_s" "$ours_kb" "$ref_kb" "$ours_auc" "$ref_auc" <<'PY'
import sys
o, r, om, rm, oa, ra = map(float, sys.argv[1:])
print(f"ratio: leadscore is {r / o:.2f}x the speed of scikit-learn; memory {om / rm:.2f}x; AUC difference {oa - ra:+.4f}")
PY
