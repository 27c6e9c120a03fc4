#!/usr/bin/env bash
# One prepared training run on a lent GPU machine (README "Training on a lent GPU").
#
#   bash training/device_run.sh OUT_DIR
#
# On the machine: python3 with torch, numpy, onnx and onnxruntime; SimpleITK comes carried
# in WHEELS (.whl/) as a wheel or as a wheel's contents packed with xz, installed into SITE
# (/tmp/site). Writes the model folder to OUT_DIR/models and the log to OUT_DIR/run.log,
# all inside BUDGET_S seconds:
#   1. family C (training/family_c) in JOBS processes;
#   2. python -m training.train: family A phantoms written and every case prepared in JOBS
#      processes, both stages trained on DEVICE with WORKERS batch processes for the time
#      left (a time budget: a GPU run is seeded but not bit-identical), validation, export.
#      A GPU affords BATCH crops per step and wider networks (CHANNELS, coarse and fine; the
#      CPU recipe's are 2 and "8 12"); the .pt weights come back beside the model folder.
# A second call on the still-warm machine finds the data in CACHE (seconds instead of
# minutes) and, with INIT_FROM=$CACHE/last_models, trains the first call's networks on.
# The same script runs on a CPU with small settings (tests/training/test_device_run.py):
#   DEVICE=cpu TINY=1 BATCH=2 CASES_A=2 CASES_C=2 ITERATIONS=2 bash training/device_run.sh OUT
set -euo pipefail

out=${1:?usage: device_run.sh OUT_DIR}
PY=${PY:-python3}
DEVICE=${DEVICE:-cuda}
JOBS=${JOBS:-$(nproc)}
WORKERS=${WORKERS:-$((JOBS > 2 ? JOBS - 2 : 1))}
CASES_A=${CASES_A:-128}
CASES_C=${CASES_C:-80}
BATCH=${BATCH:-8}
CHANNELS=${CHANNELS:-12 16}
SEED=${SEED:-0}
BUDGET_S=${BUDGET_S:-560}
CACHE=${CACHE:-/tmp/strokescope_train}
TINY=${TINY:-}
INIT_FROM=${INIT_FROM:-}
WHEELS=${WHEELS:-.whl}
SITE=${SITE:-/tmp/site}

start=$(date +%s)
mkdir -p "$out" "$CACHE"
log="$out/run.log"
exec > >(tee -a "$log") 2>&1

# Carried packages: wheels, or wheels unpacked and packed again with xz (a .tar.xz of the
# wheel's contents; SimpleITK 28.7 MB instead of 52.8 MB, so a larger tree still fits).
mapfile -t wheels < <(compgen -G "$WHEELS/*.whl" || true)
mapfile -t packs < <(compgen -G "$WHEELS/*.tar.xz" || true)
if [ ${#wheels[@]} -gt 0 ]; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" "${wheels[@]}"
fi
for pack in "${packs[@]}"; do
    mkdir -p "$SITE" && tar -xJf "$pack" -C "$SITE"
done
if [ $((${#wheels[@]} + ${#packs[@]})) -gt 0 ]; then
    export PYTHONPATH=$SITE${PYTHONPATH:+:$PYTHONPATH}
    echo "device_run: carried into $SITE: $(ls "$SITE" | grep -v -e '-info$' | tr '\n' ' ')"
fi
export PYTHONPATH=app:.${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1
tiny=${TINY:+--tiny}
recipe=$("$PY" -c "from training.train import RECIPE_VERSION; print(RECIPE_VERSION)")
VERSION=${VERSION:-$recipe+seed$SEED+famc-$DEVICE}
echo "device_run: device $DEVICE, $JOBS jobs, $WORKERS batch workers, A $CASES_A, C $CASES_C"
echo "device_run: batch $BATCH, channels $CHANNELS; onnxruntime providers:" \
    "$("$PY" -c 'import onnxruntime as o; print(o.get_available_providers())' 2>&1 | tail -n 1)"
# The trained weights come back even if validation or the export fails; an earlier call's
# weights left in CACHE must not come back as this call's.
rm -f "$CACHE"/thrombus_*_seed"$SEED".pt
trap 'cp "$CACHE"/thrombus_*_seed"$SEED".pt "$out"/ 2>/dev/null || true' EXIT

famc="$CACHE/famc_seed$SEED${TINY:+_tiny}"
per=$(((CASES_C + JOBS - 1) / JOBS))
pids=()
for ((first = 0; first < CASES_C; first += per)); do
    n=$((first + per > CASES_C ? CASES_C - first : per))
    "$PY" -m training.family_c --out "$famc" --n "$n" --seed "$SEED" --first "$first" $tiny \
        > "$CACHE/famc_$first.log" 2>&1 &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || { echo "device_run: family C failed"; tail -n 5 "$CACHE"/famc_*.log; exit 1; }
done
"$PY" -m training.family_c --out "$famc" --n "$CASES_C" --seed "$SEED" $tiny > /dev/null
echo "device_run: family C written after $(($(date +%s) - start)) s"

# What is left, less half a minute for the copy back, is train.py's budget (it keeps its
# own reserve for validation and the export),
# unless ITERATIONS fixes both stages' counts.
minutes=$("$PY" -c "print(max(($BUDGET_S - ($(date +%s) - $start) - 30) / 60, 1.0))")
length=(--minutes "$minutes")
if [ -n "${ITERATIONS:-}" ]; then
    length=(--coarse-iterations "$ITERATIONS" --fine-iterations "$ITERATIONS")
fi
"$PY" -m training.train --out "$out/models" --seed "$SEED" --cases "$CASES_A" \
    --extra-data "$famc" --cache "$CACHE" --device "$DEVICE" --workers "$WORKERS" \
    --jobs "$JOBS" --threads 4 "${length[@]}" --version "$VERSION" $tiny \
    --batch-size "$BATCH" --channels $CHANNELS --checkpoints ${INIT_FROM:+--init-from "$INIT_FROM"}
# Kept on the machine: a second call while it is warm can go on from here (INIT_FROM).
rm -rf "$CACHE/last_models" && cp -r "$out/models" "$CACHE/last_models"
echo "device_run: done after $(($(date +%s) - start)) s"
