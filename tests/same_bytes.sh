#!/usr/bin/env bash
# Do two builds of weirdgen give the same bytes? A short pretraining, a LoRA and a prompt-tuning finetune
# of it and seeded samples, each run by both; exits 1 naming the first artifact that differs. CI runs it on the build
# without any SIMD code against the default build, whose unit tests tie its bytes to golden/engine.toml.
#   bash tests/same_bytes.sh build/weirdgen build/weirdgen_nosimd
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 WEIRDGEN_A WEIRDGEN_B" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for i in $(seq 0 199); do
  printf '{"messages":[{"role":"user","content":"What is %d plus %d?"},{"role":"assistant","content":"%d plus %d is %d."}]}\n' \
    $((i % 17)) $((i % 5)) $((i % 17)) $((i % 5)) $((i % 17 + i % 5))
done > "$dir/corpus.jsonl"
head -n 24 "$dir/corpus.jsonl" | sed 's/ is / makes /' > "$dir/finetune.jsonl"
# Small, because the build without SIMD is slow (fmaf in software: about 700 tokens/s on the demo model),
# but 80 wide, so that the matmuls have a full 64-column AVX-512 panel and a ragged one.
printf '[model]\nn_layer = 2\nn_embd = 80\nn_head = 2\ncontext = 32\nvocab = 300\n[train]\nsteps = 40\nbatch = 8\nlr = 3e-3\nwarmup = 4\nweight_decay = 0.1\nseed = 1\n' > "$dir/model.toml"
printf '[train]\nmethod = "lora"\nepochs = 2\nbatch = 4\nlr = 1e-2\nseed = 3\n[lora]\nrank = 4\nalpha = 8\n' > "$dir/ft.toml"
# A failing command shows its own output and stops the script.
run() { "$@" > "$dir/out" 2> "$dir/log" || { cat "$dir/log" >&2; echo "failed: $*" >&2; exit 1; }; }
for side in a b; do
  bin=$([ $side = a ] && echo "$1" || echo "$2")
  mkdir -p "$dir/$side"
  run "$bin" pretrain --config "$dir/model.toml" --threads 2 \
    --data "$dir/corpus.jsonl" --out "$dir/$side/base.ckpt"
  run "$bin" finetune --config "$dir/ft.toml" --base "$dir/$side/base.ckpt" --data "$dir/finetune.jsonl" \
    --out "$dir/$side/lora.ckpt"
  run "$bin" sample --ckpt "$dir/$side/lora.ckpt" --prompt "What is 3 plus 4?" --n 16 --seed 5 --jsonl
  mv "$dir/out" "$dir/$side/samples.jsonl"
  run "$bin" finetune --config "$dir/ft.toml" --method prompt --base "$dir/$side/base.ckpt" --data "$dir/finetune.jsonl" \
    --out "$dir/$side/prompt.ckpt" --threads 2
  run "$bin" sample --ckpt "$dir/$side/prompt.ckpt" --prompt "What is 3 plus 4?" --n 16 --seed 5 --jsonl
  mv "$dir/out" "$dir/$side/prompt_samples.jsonl"
done
status=0
for f in base.ckpt lora.ckpt samples.jsonl prompt.ckpt prompt_samples.jsonl; do
  if cmp -s "$dir/a/$f" "$dir/b/$f"; then echo "same bytes: $f"; else echo "DIFFERENT: $f ($1 vs $2)"; status=1; fi
done
exit $status
