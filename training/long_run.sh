#!/usr/bin/env bash
# The long CPU run of recipe 0.6.0 (docs/THROMBUS.md, "Sleeves in both stages, the long run
# again"): both stages from scratch, 160 family-A phantoms and 80 family-C cases of seed 0,
# 8000 coarse and 12000 fine steps, checkpoints every 200 steps. It takes longer than one
# working session and a session may start on a fresh checkout without cache/, so its
# checkpoints are kept in the repository (RUNS, a few tens of MB) and restored from there:
#
#   THREADS=2 bash training/long_run.sh run    # restore, write the data, train on (resumes)
#   bash training/long_run.sh keep             # copy the newest checkpoints into RUNS
#
# The data are written again from their seeds on a fresh checkout (about 25 minutes on two
# cores); every restart of the fine stage first predicts the coarse stage on the training
# cases (about 6 minutes). Delete RUNS once the run has ended and its result is recorded.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
THREADS=${THREADS:-2}
CACHE=cache/long6
FAMC=$CACHE/famc_seed0
RUNS=training/runs/long-0.6.0
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
  *)
    echo "usage: long_run.sh run|keep" >&2
    exit 2
    ;;
esac
