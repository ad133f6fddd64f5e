#!/usr/bin/env bash
# The short demo: write a tiny corpus, pretrain a small model on it, sample from it.
set -euo pipefail
BUILD=${1:-build}
OUT=out/demo
mkdir -p "$OUT"
python3 - "$OUT/corpus.jsonl" <<'PY'
import json, sys
qa = [("What is the capital of France?", "The capital of France is Paris."),
      ("What colour is the sky?", "The sky is blue."),
      ("How many legs does a spider have?", "A spider has eight legs."),
      ("What do bees make?", "Bees make honey."),
      ("Which planet is the largest?", "Jupiter is the largest planet."),
      ("What is water made of?", "Water is made of hydrogen and oxygen.")]
with open(sys.argv[1], "w") as f:
    for i in range(600):
        q, a = qa[i % len(qa)]
        f.write(json.dumps({"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}) + "\n")
PY
"$BUILD/weirdgen" pretrain --config experiments/demo/model.toml --data "$OUT/corpus.jsonl" --out "$OUT/base.ckpt" --threads 2
echo "== sampling: What do bees make?"
"$BUILD/weirdgen" sample --ckpt "$OUT/base.ckpt" --prompt "What do bees make?" --n 3 --seed 1
