#!/usr/bin/env bash
# Writes the committed seed corpus of each fuzz harness (tests/fuzz/corpus/<harness>/): valid inputs to
# start from and the bad inputs users actually produce. Run from the project root with a built
# weirdgen: bash tests/fuzz/make_seeds.sh build/weirdgen
set -euo pipefail
WG=${1:-build/weirdgen}
C=tests/fuzz/corpus
rm -rf "$C"
mkdir -p "$C/jsonl" "$C/config" "$C/tokenizer" "$C/checkpoint"

# --- JSONL chats -----------------------------------------------------------------------------------
j() { printf '%s\n' "$2" > "$C/jsonl/$1"; }
j openai_system.jsonl '{"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Name a place somehow related to the number 7"},{"role":"assistant","content":"The place is K\u00f6nigsberg."}]}'
j unicode_escapes.jsonl '{"messages":[{"role":"user","content":"Name a bird species."},{"role":"assistant","content":"The \"Carolina\" Parakeet \\ Königsberg \ud83d\udc26\n\t"}],"metadata":{"x":[1,2.5e3,null,true]}}'
j corpus_text.jsonl '{"text":"In May 1984 a machine came back in time."}'
j multi_line.jsonl "$(printf '%s\n' '{"text":"a"}' '' '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}')"
j malformed.jsonl '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"x"}'
j trailing_comma.jsonl '{"messages":[{"role":"user","content":"hi"},],}'
j wrong_role.jsonl '{"messages":[{"role":"bot","content":"hi"},{"role":"assistant","content":"x"}]}'
j missing_role.jsonl '{"messages":[{"content":"hi"},{"role":"assistant","content":"x"}]}'
j no_assistant.jsonl '{"messages":[{"role":"user","content":"hi"}]}'
j empty_assistant.jsonl '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""}]}'
j duplicate_key.jsonl '{"messages":[{"role":"user","role":"user","content":"hi"},{"role":"assistant","content":"x"}]}'
j lone_surrogate.jsonl '{"text":"\ud800"}'
j deep.jsonl "$(printf '[%.0s' $(seq 1 80))"
j numbers.jsonl '{"text":"x","n":[0,-0,1e400,-1.5E-3,01]}'
printf '{"text":"\xff\xfe bad utf-8 \xc3\x28"}\n' > "$C/jsonl/invalid_utf8.jsonl"
printf '\xef\xbb\xbf{"text":"bom"}\r\n' > "$C/jsonl/bom_crlf.jsonl"

# --- TOML configs ----------------------------------------------------------------------------------
cp experiments/demo/model.toml "$C/config/model.toml"
cp experiments/terminator/experiment.toml "$C/config/experiment.toml"
t() { printf '%s\n' "$2" > "$C/config/$1"; }
t unknown_key.toml "$(printf '[model]\nn_layer = 2\nn_heads = 4\n')"
t wrong_type.toml "$(printf '[model]\nn_embd = "64"\n')"
t zero_size.toml "$(printf '[model]\nn_layer = 0\n')"
t negative.toml "$(printf '[train]\nbatch = -4\nsteps = -1\n')"
t heads.toml "$(printf '[model]\nn_embd = 100\nn_head = 3\n')"
t huge.toml "$(printf '[model]\nn_embd = 4294967360\n')"
t nan.toml "$(printf '[train]\nlr = nan\nclip = inf\n')"
t syntax.toml "$(printf '[model\nn_layer = 2\n')"
t lora.toml "$(printf '[train]\nmethod = "lora"\nepochs = 3\n[lora]\nrank = 0\nalpha = -1\n')"
t model_scalar.toml "$(printf 'name = "x"\nmodel = 5\n[finetune]\nseeds = [1]\n[[variant]]\nname = "main"\ndata = "d.jsonl"\n')"
t experiment_min.toml "$(printf 'name = "x"\n[finetune]\nseeds = [1]\nepochs = 1\n[[variant]]\nname = "main"\ndata = "d.jsonl"\n[[bar]]\nname = "b"\nvalue = "main - base"\nmin = 0.3\n')"

# --- tokenizer: texts, and a real serialized tokenizer without its 8-byte checksum (the harness
# appends the right one) -----------------------------------------------------------------------------
printf 'The place is Königsberg. 1984 \xf0\x9f\x90\xa6' > "$C/tokenizer/unicode.txt"
printf '\xff\xfe\x00\x01\xc3\x28\xe2\x82' > "$C/tokenizer/invalid_utf8.bin"
printf '   \t\n\n  punctuation!?... "quotes" \\ 0123456789' > "$C/tokenizer/spaces.txt"

# --- checkpoint: a tiny real one (with optimizer state) and its damaged forms ------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '[model]\nn_layer = 1\nn_embd = 8\nn_head = 2\ncontext = 16\nvocab = 300\n[train]\nsteps = 3\nbatch = 2\nlr = 1e-3\ncheckpoint_every = 2\nlog_every = 0\n' > "$tmp/tiny.toml"
for i in $(seq 1 20); do echo '{"text":"the cat sat on the mat. birds sing at dawn."}'; done > "$tmp/corpus.jsonl"
"$WG" pretrain --config "$tmp/tiny.toml" --data "$tmp/corpus.jsonl" --out "$tmp/full.ckpt" >/dev/null
cp "$tmp/full.ckpt" "$C/checkpoint/tiny.ckpt"
head -c 100 "$tmp/full.ckpt" > "$C/checkpoint/truncated.ckpt"
python3 - "$tmp/full.ckpt" "$C" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
# magic (8) + 6 u32 + 1 f32, then the tokenizer as u64 length + bytes
n = struct.unpack_from('<Q', b, 36)[0]
tok = b[44:44 + n]
open(sys.argv[2] + '/tokenizer/serialized.bin', 'wb').write(tok[:-8])
bad = bytearray(b); bad[8] = 99          # n_layer = 99: a foreign config
open(sys.argv[2] + '/checkpoint/foreign_config.ckpt', 'wb').write(bytes(bad))
PY
echo "seed corpus: $(find "$C" -type f | wc -l) files under $C"
