#!/usr/bin/env bash
# Regenerate the committed regression baseline, on purpose (docs/results.md).
#
# Runs the seed experiment with the deterministic models only (no weights, no
# sampling) into results/baselines/seed/, then shows how the new scores differ
# from the old ones. Review the diff and commit it together with the change
# that moved the scores. tests/test_baseline.py reruns the same command and
# fails on any score that moved.
set -euo pipefail
cd "$(dirname "$0")/.."

HARNESS="${HARNESS:-.venv/bin/harness}"
BASELINE=results/baselines/seed
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

previous=""
if [ -d "$BASELINE" ]; then
    previous="$(mktemp -d)"
    cp -r "$BASELINE" "$previous/seed"
    rm -rf "$BASELINE"
fi

"$HARNESS" run experiment=seed 'models=[lead3,textrank]' "hydra.run.dir=$BASELINE"
# The log holds timestamps and absolute paths; nothing reads it back.
rm -f "$BASELINE/app.log"

if [ -n "$previous" ]; then
    echo
    echo "== scores: new baseline against the previous one =="
    "$HARNESS" compare "$previous/seed" "$BASELINE" --max-abs-diff 1e-6 || true
    rm -rf "$previous"
fi
