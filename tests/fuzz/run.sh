#!/usr/bin/env bash
# make fuzz: runs every harness for FUZZ_SECONDS (default 60), two at a time (one per core), each from
# its committed seed corpus (tests/fuzz/corpus/<harness>, never written to) plus a working corpus in
# the build folder. Prints executions per harness; fails on the first crash, leak or sanitizer report
# (libFuzzer then leaves the input as BUILD/fuzz-out/crash-*).
set -uo pipefail
BUILD=${1:-build-sanitize}
SECONDS_EACH=${FUZZ_SECONDS:-60}
SRC=$(cd "$(dirname "$0")" && pwd)
OUT="$BUILD/fuzz-out"
mkdir -p "$OUT"
run_one() {
    local h=$1
    mkdir -p "$OUT/corpus-$h"
    (cd "$OUT" && "../fuzz_$h" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=20 \
        -print_final_stats=1 "corpus-$h" "$SRC/corpus/$h") > "$OUT/$h.log" 2>&1
    echo $? > "$OUT/$h.rc"
}
harnesses="jsonl config tokenizer checkpoint"
set -- $harnesses
while [ $# -gt 0 ]; do
    run_one "$1" &
    [ $# -gt 1 ] && run_one "$2" &
    wait
    shift; [ $# -gt 0 ] && shift
done
fail=0
printf '%-12s %14s %10s %s\n' harness executions exec/s result
for h in $harnesses; do
    rc=$(cat "$OUT/$h.rc")
    execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$OUT/$h.log")
    rate=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$OUT/$h.log")
    if [ "$rc" = 0 ]; then res=clean; else res="FAILED (see $OUT/$h.log)"; fail=1; fi
    printf '%-12s %14s %10s %s\n' "$h" "${execs:-?}" "${rate:-?}" "$res"
    [ "$rc" = 0 ] || grep -m 5 -E 'ERROR|SUMMARY|property violated|does not name' "$OUT/$h.log"
done
exit $fail
