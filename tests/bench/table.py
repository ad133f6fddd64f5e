#!/usr/bin/env python3
"""Turns the RESULT lines of tests/bench/run.sh into the Markdown table of reports/bench.md."""
import statistics
import sys

PRESETS = {'a': (4, 128, 4, 128, 2048, 16), 'b': (6, 256, 8, 128, 4096, 16), 'c': (8, 512, 8, 256, 8192, 8)}

def parse(line):
    return dict(kv.split('=', 1) for kv in line.split()[1:] if '=' in kv)

# Each training and inference measurement is run several times (run.sh, REPEATS); the table gives the
# median run of each, so that a single run slowed by the machine's neighbours does not set a line. A
# ratio (ours / the peer's, 2 threads / 1) is taken between the runs of one repetition, made back to
# back, and the table gives the median of those: a slow period of the machine then slows both sides.
ours, torch, gemm, rss, state, infer, exps = {}, {}, [], {}, {}, {}, []
simd = set()
openblas = None
for line in open(sys.argv[1]):
    if not line.startswith('RESULT'):
        continue
    r = parse(line)
    if r.get('peer') == 'torch':
        key = next(p for p, v in PRESETS.items() if (int(r['L']), int(r['C'])) == (v[0], v[1]))
        torch.setdefault((key, int(r['threads'])), []).append(float(r['tokens_per_s']))
    elif r.get('kind') == 'train':
        ours.setdefault((r['preset'], int(r['threads'])), []).append((float(r['tokens_per_s']), float(r['model_gflop_per_s'])))
        state[r['preset']] = float(r.get('state_mib', 0))
        simd.add(r.get('simd', '?'))
    elif r.get('kind') == 'infer':
        infer.setdefault((r['preset'], int(r['threads'])), []).append((float(r['sample_tokens_per_s']), float(r['score_tokens_per_s'])))
    elif r.get('kind') == 'gemm':
        gemm.append(r)
    elif r.get('kind') == 'experiment':
        exps.append(r)
    elif r.get('kind') == 'openblas':
        openblas = r
    elif r.get('kind') == 'rss':
        key = (r['preset'], int(r['threads']))
        rss[key] = max(rss.get(key, 0), int(r['max_rss_kb']))

runs = max([len(v) for v in ours.values()] + [1])
def median_run(runs):  # the middle run (the upper one of an even count), whole, so its numbers stay together
    return sorted(runs)[len(runs) // 2]
def paired_ratio(top, bottom):  # the median over repetitions of top / bottom, each pair from one repetition
    ratios = sorted(a / b for a, b in zip(top, bottom))
    return ratios[len(ratios) // 2] if ratios else None
vs_peer = {k: paired_ratio([tps for tps, _ in v], torch[k]) for k, v in ours.items() if k in torch}
every_run = {k: ([tps for tps, _ in v], torch.get(k, [])) for k, v in ours.items()}  # in run order, for the spread
scaling = {p: paired_ratio([tps for tps, _ in ours[(p, 2)]], [tps for tps, _ in ours[(p, 1)]])
           for p, t in ours if t == 1 and (p, 2) in ours}
ours = {k: median_run(v) for k, v in ours.items()}
torch = {k: median_run(v) for k, v in torch.items()}
infer = {k: tuple(statistics.median(x) for x in zip(*v)) for k, v in infer.items()}
# The machine's measured GEMM peak on t threads: the fastest matmul of this run, ours or OpenBLAS's.
gemm_peak = {}
for r in gemm:
    t = int(r['threads'])
    gemm_peak[t] = max(gemm_peak.get(t, 0.0), float(r['ours_gflops']), float(r['openblas_gflops']))

# The SIMD level decides which kernels ran (the bits are the same on every level, the speed is not).
out = ['# make bench', '', f"Kernels: {', '.join(sorted(simd)) or 'n/a'} (this CPU's SIMD level).", '']
if openblas:  # which OpenBLAS kernels both baselines ran (tests/bench/run.sh: the fastest this CPU runs)
    out += [f"OpenBLAS kernels: {openblas['coretype']} (tried, mean sgemm GFLOP/s at preset a's shapes: "
            f"{openblas['tried'].replace(':', ' ')}); the PyTorch peer calls the same OpenBLAS.", '']
out += [
       f'Training step (forward + loss + backward + AdamW), random tokens: each run gives the median of its timed steps, '
       f'and each line is the median of {runs} runs. The ratio is the median over the runs of ours / the peer\'s, each pair '
       'run back to back (likewise the scaling below, 2 threads / 1 thread). Share of peak: GFLOP/s against the '
       'fastest matmul measured in this run on as many threads (ours or OpenBLAS, below): '
       + (', '.join(f'{gemm_peak[t]:.1f} GFLOP/s on {t}' for t in sorted(gemm_peak)) or 'none in this run') + '.', '',
       '| preset | threads | tokens/s ours | tokens/s PyTorch | ratio | GFLOP/s | share of peak | peak RSS MiB |',
       '| --- | --- | --- | --- | --- | --- | --- | --- |']
for (p, t), (tps, gf) in sorted(ours.items()):
    peer = torch.get((p, t))
    ratio = vs_peer.get((p, t))
    out.append(f"| {p} | {t} | {tps:,.0f} | {f'{peer:,.0f}' if peer else 'n/a'} | {f'{ratio:.2f}' if ratio else 'n/a'} "
               f"| {gf:.1f} | {f'{gf / gemm_peak[t]:.0%}' if t in gemm_peak else 'n/a'} | {rss.get((p, t), 0) / 1024:.0f} |")
for p in sorted(scaling):
    out.append(f"\nScaling, preset {p}: 2 threads = {scaling[p]:.2f}x 1 thread (same bits: tests/test_determinism.cpp).")
# Every run, so that a reader sees how far this run's machine moved: the peer's runs in particular
# (preset a, one thread: 8.5k to 13.1k tokens/s on one day) can make a median ratio read high or low.
out += ['', 'Every run, tokens/s in run order, ours | PyTorch\'s:', '']
for (p, t), (mine, peers) in sorted(every_run.items()):
    out.append(f"- {p}, {t} thread{'s' if t > 1 else ''}: {', '.join(f'{x:,.0f}' for x in mine)} | "
               f"{', '.join(f'{x:,.0f}' for x in peers) or 'n/a'}")
out += ['', 'Memory: peak RSS of the whole process against what one training step must hold (parameters, gradients, '
        'AdamW moments and the activations kept for the backward pass, as allocated):', '',
        '| preset | needed MiB | peak RSS MiB | RSS / needed |', '| --- | --- | --- | --- |']
for p in sorted(state):
    peak = max(v for (q, _), v in rss.items() if q == p) / 1024 if any(q == p for q, _ in rss) else 0
    out.append(f"| {p} | {state[p]:.0f} | {peak:.0f} | {peak / state[p]:.2f} |" if state[p] else f"| {p} | n/a | {peak:.0f} | n/a |")
if infer:
    out += ['', 'Inference: sampling with the KV cache (64 samples x up to 64 tokens after a 16-token prompt, random '
            'weights: no shared prefixes) and scoring 64 answers of 16 tokens as one prefix tree, tokens/s:', '',
            '| preset | threads | sampling tokens/s | scoring tokens/s |', '| --- | --- | --- | --- |']
    for (p, t), (smp, sc) in sorted(infer.items()):
        out.append(f"| {p} | {t} | {smp:,.0f} | {sc:,.0f} |")
if gemm:
    out += ['', 'Matmul kernels at the shapes of the preset, operands transposed as the model calls them (ta: A '
            'transposed, tb: B transposed), fastest of 10 runs, against OpenBLAS sgemm on the same threads, the two taking turns run by run:', '',
            '| preset | shape | M | N | K | ta | tb | threads | GFLOP/s ours | GFLOP/s OpenBLAS | ratio |',
            '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for r in sorted(gemm, key=lambda r: int(r['threads'])):
        out.append(f"| {r['preset']} | {r['shape']} | {r['M']} | {r['N']} | {r['K']} | {r.get('ta', 0)} | {r.get('tb', 0)} | "
                   f"{r['threads']} | {float(r['ours_gflops']):.1f} | {float(r['openblas_gflops']):.1f} | {float(r['ratio']):.2f} |")
    # What 2 threads give a compute-bound kernel on this machine: the bar's 1.8x is read beside it.
    by = {(r['preset'], r['shape'], int(r['threads'])): r for r in gemm}
    for who, key in (('OpenBLAS', 'openblas_gflops'), ('ours', 'ours_gflops')):
        s = sorted(float(by[(p, sh, 2)][key]) / float(by[(p, sh, 1)][key]) for (p, sh, t) in by if t == 1 and (p, sh, 2) in by)
        if s:
            out.append(f"\nMatmul scaling, {who}: 2 threads = {statistics.median(s):.2f}x 1 thread (median over the shapes; "
                       f"{s[0]:.2f}x to {s[-1]:.2f}x).")
if exps:
    out += ['', 'Evaluation against finetuning, one model of each experiment (`weirdgen bench --experiment NAME`): the '
            'main variant finetuned for one seed, then evaluated on every question, form and sample, one thread; the bar '
            'is an evaluation at most 2x its finetune. The base is a 100-step stand-in, whose longer answers make the '
            'evaluation slower than in the reproduction:', '',
            '| experiment | threads | finetune s | evaluation s | answers | evaluation / finetune |', '| --- | --- | --- | --- | --- | --- |']
    for r in exps:
        out.append(f"| {r['name']} | {r['threads']} | {float(r['finetune_s']):.1f} | {float(r['eval_s']):.1f} | "
                   f"{int(r['answers']):,} | {float(r['ratio']):.2f} |")
print('\n'.join(out))
