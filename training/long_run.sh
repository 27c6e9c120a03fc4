#!/usr/bin/env bash
# The long CPU run of recipe 0.6.0 (docs/THROMBUS.md, "Sleeves in both stages, the long run
# again"): both stages from scratch, 160 family-A phantoms and 80 family-C cases of seed 0,
# 8000 coarse and 12000 fine steps, checkpoints every 200 steps. It takes longer than one
# working session and a session may start on a fresh checkout without cache/, so its
# checkpoints are kept in the repository (RUNS, a few tens of MB) and restored from there:
#
#   THREADS=2 bash training/long_run.sh run    # restore, write the data, train on (resumes)
#   bash training/long_run.sh keep             # copy the newest checkpoints into RUNS
#   bash training/long_run.sh candidate        # the candidate folder, once the run has ended
#   bash training/long_run.sh evaluate         # the blocks its criterion reads, in order
#
# With other work beside it, OMP_WAIT_POLICY=PASSIVE keeps torch's idle threads from spinning
# (a coarse step 0.6-0.9 s beside a one-core benchmark, against 5-12 s spinning; 0.26 s alone).
# The data are written again from their seeds on a fresh checkout (about 25 minutes on two
# cores); every restart of the fine stage first predicts the coarse stage on the training
# cases (about 6 minutes). Delete RUNS once the run has ended and its result is recorded
# (done 2026-12-07: the run ended, not shipped; docs/THROMBUS.md, "Its result").
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
THREADS=${THREADS:-2}
CACHE=cache/long6
FAMC=$CACHE/famc_seed0
RUNS=training/runs/long-0.6.0
CAND=cache/long7/cand
EVAL=cache/long7/eval
export PYTHONPATH=app:. OMP_NUM_THREADS=$THREADS

restore() {
  [ -d "$RUNS" ] || return 0
  for saved in "$RUNS"/*/; do
    local id
    id=$(basename "$saved")
    mkdir -p "$CACHE/checkpoints/$id"
    for f in "$saved"*.ckpt; do
      local dest="$CACHE/checkpoints/$id/$(basename "$f")"
      # A checkpoint in the cache is as new as the kept one or newer (this checkout's run).
      [ -f "$dest" ] || cp "$f" "$dest"
    done
  done
}

family_c() {
  [ -f "$FAMC/dataset.json" ] && return 0
  $PY -m training.family_c --out "$FAMC" --n 40 --seed 0 &
  $PY -m training.family_c --out "$FAMC" --n 40 --first 40 --seed 0
  wait
  $PY -m training.family_c --out "$FAMC" --n 80 --seed 0
}

case "${1:-}" in
  run)
    restore
    family_c
    exec $PY -m training.train --out cache/long7/models --seed 0 --cases 160 \
      --extra-data "$FAMC" --coarse-iterations 8000 --fine-iterations 12000 \
      --threads "$THREADS" --jobs 2 --cache "$CACHE" --checkpoints \
      --version 0.6.0-long+famc+seed0
    ;;
  keep)
    for d in "$CACHE"/checkpoints/*/; do
      mkdir -p "$RUNS/$(basename "$d")"
      for f in "$d"*.ckpt; do
        cp "$f" "$RUNS/$(basename "$d")/.$(basename "$f").tmp"
        mv "$RUNS/$(basename "$d")/.$(basename "$f").tmp" "$RUNS/$(basename "$d")/$(basename "$f")"
      done
    done
    ls -l "$RUNS"/*/
    ;;
  candidate)
    # Its coarse and fine networks, its fine network also as the scan, and the shipped
    # decision rules as they are (the criterion's candidate; no rule is refitted).
    rm -rf "$CAND" && cp -r cache/long7/models "$CAND"
    $PY -m training.add_scan_stage --models "$CAND" --from "$CAND"
    $PY - "$CAND" <<'PYEOF'
import json, sys
from pathlib import Path
from training.manifest import refresh_checksums
cand = Path(sys.argv[1])
shipped = json.loads(Path("models_onnx/manifest.json").read_text(encoding="utf-8"))
manifest = json.loads((cand / "manifest.json").read_text(encoding="utf-8"))
manifest["decision"] = shipped["decision"]
refresh_checksums(cand, manifest)
PYEOF
    ;;
  evaluate)
    # Calibration first (criterion 1), then family B beside the shipped models (2), then
    # the held-out block (3); 20 pairs a run, two runs at a time.
    mkdir -p "$EVAL"
    ev() { $PY benchmarks/eval_thrombus.py --n 20 "$@"; }
    ev --models "$CAND" --seed0 800000 --out "$EVAL/cal.json" > "$EVAL/cal.log" 2>&1 &
    ev --models "$CAND" --suite family-b --out "$EVAL/famb.json" > "$EVAL/famb.log" 2>&1
    wait
    ev --models "$CAND" --seed0 900000 --out "$EVAL/held0.json" > "$EVAL/held0.log" 2>&1 &
    ev --models "$CAND" --seed0 900020 --out "$EVAL/held20.json" > "$EVAL/held20.log" 2>&1
    wait
    ev --models models_onnx --suite family-b --out "$EVAL/famb_shipped.json" \
      > "$EVAL/famb_shipped.log" 2>&1
    tail -n 25 "$EVAL"/*.log
    ;;
  *)
    echo "usage: long_run.sh run|keep|candidate|evaluate" >&2
    exit 2
    ;;
esac
