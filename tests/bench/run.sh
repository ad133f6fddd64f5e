#!/usr/bin/env bash
# make bench: weirdgen against the PyTorch peer (../shared/peers/torch_gpt.py), side by side in one
# run, on presets a, b, c with 1 and 2 threads; matmul GFLOP/s against OpenBLAS at preset c's shapes;
# the time of one experiment model's evaluation against its finetune.
# Prints one table and writes it to reports/bench.md. Needs python3-torch for the peer column
# (installed here when missing and root; otherwise the column says "n/a").
set -euo pipefail
BUILD=${1:-build}
PEER=../shared/peers/torch_gpt.py
PRESETS=${PRESETS:-abc}
mkdir -p reports
raw=$(mktemp)
if ! /usr/bin/python3 -c "import torch" 2>/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq python3-torch >/dev/null 2>&1 || true
fi
have_torch=0; /usr/bin/python3 -c "import torch" 2>/dev/null && [ -f "$PEER" ] && have_torch=1
for p in $(echo "$PRESETS" | grep -o .); do
  for t in 1 2; do
    echo "preset $p, $t thread(s)..." >&2
    # Matmul at preset c's shapes on 1 and 2 threads: OpenBLAS's own 2-thread scaling there is what the
    # machine allows a compute-bound kernel, beside which our training's scaling is read.
    extra=""; [ "$p" = c ] && extra="--gemm"
    /usr/bin/time -f "RESULT kind=rss preset=$p threads=$t max_rss_kb=%M" \
      "$BUILD/weirdgen" bench --presets "$p" --threads "$t" $extra >>"$raw" 2>>"$raw.err" || { cat "$raw.err" >&2; exit 1; }
    grep RESULT "$raw.err" >>"$raw" || true; : >"$raw.err"
    if [ $have_torch = 1 ]; then
      OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$PEER" --preset "$p" --threads "$t" | grep RESULT >>"$raw"
    fi
  done
done
# Evaluation against finetuning: one model of each experiment with a golden file, one thread.
for e in terminator birds; do
  echo "experiment $e: one finetune and its evaluation..." >&2
  "$BUILD/weirdgen" bench --experiment "$e" --threads 1 >>"$raw"
done
/usr/bin/python3 tests/bench/table.py "$raw" | tee reports/bench.md
rm -f "$raw" "$raw.err"
