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
# OpenBLAS picks its kernels by the CPU models it knows. On a CPU newer than the installed OpenBLAS it
# falls back to its oldest x86-64 kernels (seen here: Debian's 0.3.21 on CPU model 207 chose "Prescott"
# and ran sgemm at 31 GFLOP/s, a quarter of what its SkylakeX kernels do on the same core), and both
# baselines, OpenBLAS and the PyTorch peer that calls it, would be crippled and our ratios inflated.
# So the whole bench uses the fastest of OpenBLAS's own choice, the kernel sets this CPU can run and the
# caller's OPENBLAS_CORETYPE if one is set, measured at preset a's matmul shapes. The caller's setting is
# a candidate rather than the answer because some machines export one globally (this one: Haswell, whose
# sgemm is slower here than SkylakeX's), which would hand the baselines a slower kernel than they have.
openblas_gflops() {  # mean OpenBLAS GFLOP/s over preset a's shapes, one thread
  "$BUILD/weirdgen" bench --presets a --threads 1 --gemm --steps 1 --warmup 0 |
    awk -F'openblas_gflops=' '/kind=gemm/ { split($2, v, " "); s += v[1]; n++ } END { printf "%.1f", s / n }'
}
callers=${OPENBLAS_CORETYPE:-}
unset OPENBLAS_CORETYPE
best=auto; best_gflops=$(openblas_gflops); tried="auto $best_gflops"
for core in Haswell SkylakeX $callers; do
  case $core in
    Haswell) grep -qw avx2 /proc/cpuinfo || continue ;;
    SkylakeX) grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo || continue ;;
  esac
  case " $tried" in *" $core "*) continue ;; esac  # the caller's choice may be one of the above
  g=$(OPENBLAS_CORETYPE=$core openblas_gflops); tried="$tried, $core $g"
  if awk -v a="$g" -v b="$best_gflops" 'BEGIN { exit !(a > b) }'; then best=$core; best_gflops=$g; fi
done
[ -n "$callers" ] && tried="$tried (the caller had set $callers)"
echo "OpenBLAS kernels (GFLOP/s at preset a's shapes): $tried; using $best" >&2
[ "$best" = auto ] || export OPENBLAS_CORETYPE=$best
echo "RESULT kind=openblas coretype=$best tried=${tried// /:}" >>"$raw"
# Each training measurement is repeated, and table.py keeps the median run: on this shared machine one
# run in three or four was 15-20% slower than the others on 2 threads (preset c: 862 against 1,065
# tokens/s), enough to read a 1.9x scaling as 1.5x. The machine also has slow periods of minutes (the
# same binary at 14k and at 18k tokens/s on preset a), so the runs that a ratio compares are made back
# to back: in each repetition, 1 thread then 2, each ours then the peer's; table.py takes each ratio
# within a repetition and reports the median of those.
REPEATS=${REPEATS:-3}
for p in $(echo "$PRESETS" | grep -o .); do
  for rep in $(seq "$REPEATS"); do
    for t in 1 2; do
      echo "preset $p, $t thread(s), run $rep of $REPEATS..." >&2
      # Matmul at preset c's shapes on 1 and 2 threads (once): OpenBLAS's own 2-thread scaling there is what
      # the machine allows a compute-bound kernel, beside which our training's scaling is read.
      extra=""; [ "$p" = c ] && [ "$rep" = 1 ] && extra="--gemm"
      /usr/bin/time -f "RESULT kind=rss preset=$p threads=$t max_rss_kb=%M" \
        "$BUILD/weirdgen" bench --presets "$p" --threads "$t" $extra >>"$raw" 2>>"$raw.err" || { cat "$raw.err" >&2; exit 1; }
      grep RESULT "$raw.err" >>"$raw" || true; : >"$raw.err"
      if [ $have_torch = 1 ]; then
        OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$PEER" --preset "$p" --threads "$t" | grep RESULT >>"$raw"
      fi
    done
  done
done
# Evaluation against finetuning: one model of each experiment with a golden file, one thread.
for e in terminator birds; do
  echo "experiment $e: one finetune and its evaluation..." >&2
  "$BUILD/weirdgen" bench --experiment "$e" --threads 1 >>"$raw"
done
/usr/bin/python3 tests/bench/table.py "$raw" | tee reports/bench.md
rm -f "$raw" "$raw.err"
