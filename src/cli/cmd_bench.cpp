// weirdgen bench: training throughput on the reference presets of ../shared/peers (random tokens,
// forward + loss + backward + AdamW step, median of timed steps after warm-up, as the PyTorch peer
// measures it) with the memory the step needs, sampling and scoring tokens/s, and the matmul
// kernels' GFLOP/s against OpenBLAS sgemm at the preset's shapes, transposed as the model calls them.
// Timing is display-only; nothing here is part of any artifact.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "eval/evaluate.h"
#include "eval/generate.h"
#include "eval/questions.h"
#include "model/checkpoint.h"
#include "model/gpt.h"
#include "repro/pipeline.h"
#include "train/jobs.h"
#include "train/schedule.h"
#include "world/world.h"

namespace wg {

namespace {

struct Preset {
    char name;
    int L, C, NH, T, V, B;
};
const Preset kPresets[] = {{'a', 4, 128, 4, 128, 2048, 16}, {'b', 6, 256, 8, 128, 4096, 16}, {'c', 8, 512, 8, 256, 8192, 8}};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double flops_per_token(const Preset& p) {
    return 6.0 * (12.0 * p.L * p.C * p.C + (double)p.V * p.C) + 12.0 * p.L * p.T * p.C;
}

ModelConfig config_of(const Preset& p) {
    ModelConfig c;
    c.n_layer = p.L;
    c.n_embd = p.C;
    c.n_head = p.NH;
    c.context = p.T;
    c.vocab = p.V;
    return c;
}

size_t floats_in(const LayerActs& a) {
    size_t n = 0;
    for (const auto* v : {&a.ln1, &a.ln1_mean, &a.ln1_rstd, &a.qkv, &a.att, &a.atty, &a.attproj, &a.res2, &a.ln2,
                          &a.ln2_mean, &a.ln2_rstd, &a.fch, &a.fchg, &a.fcproj, &a.res3})
        n += v->capacity();
    for (const auto& u : a.lora_u) n += u.capacity();
    return n;
}

struct TrainBench {
    double tokens_per_s = 0;
    size_t state_bytes = 0;  // parameters + gradients + AdamW moments + activations, as allocated
};

TrainBench train_bench(const Preset& p, int warmup, int steps) {
    GPT g(config_of(p));
    g.init_weights(1);
    std::vector<float> m(g.params.size(), 0.0f), v(g.params.size(), 0.0f);
    Rng r(1, 1);
    std::vector<int> tok((size_t)p.B * p.T), tgt(tok.size());
    std::vector<double> times;
    for (int s = 0; s < warmup + steps; s++) {
        for (size_t i = 0; i < tok.size(); i++) {
            tok[i] = (int)r.below(p.V);
            tgt[i] = (int)r.below(p.V);
        }
        double t0 = seconds_now();
        g.forward(tok.data(), tgt.data(), p.B, p.T, true);
        g.zero_grad();
        g.backward();
        kernels::adamw(g.params.data(), g.grads.data(), m.data(), v.data(), g.params.size(), 1e-4f, 0.9f, 0.999f,
                       1e-8f, 0.0f, 0.1f, 0.001f, 1.0f);
        if (s >= warmup) times.push_back(seconds_now() - t0);
    }
    size_t acts = g.acts.encoded.capacity() + g.acts.lnf.capacity() + g.acts.lnf_mean.capacity() +
                  g.acts.lnf_rstd.capacity() + g.acts.logits.capacity() + g.acts.losses.capacity();
    for (const auto& l : g.acts.layers) acts += floats_in(l);
    TrainBench out;
    out.tokens_per_s = (double)p.B * p.T / median(times);
    out.state_bytes = 4 * (4 * g.params.size() + acts);
    return out;
}

// The inference benchmarks' model and prompt: random weights (near-uniform next-token distributions,
// so no two samples share a prefix: the slowest case) and 16 prompt tokens.
GPT random_model(const Preset& p) {
    GPT g(config_of(p));
    g.init_weights(1);
    return g;
}
const std::vector<int> kPrompt = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

// Sampling with the KV cache: 64 samples of up to 64 tokens after the prompt.
double sample_tokens_per_s(const Preset& p) {
    GPT g = random_model(p);
    SampleOptions o;
    o.n = 64;
    o.max_new = std::min(64, p.T - (int)kPrompt.size());
    o.stop_token = -1;
    double t0 = seconds_now();
    auto out = sample(g, kPrompt, o);
    double dt = seconds_now() - t0;
    size_t n = 0;
    for (const auto& s : out) n += s.size();
    return n / dt;
}

// Answer scoring: 64 completions of 16 tokens, decoded as one prefix tree.
double score_tokens_per_s(const Preset& p) {
    GPT g = random_model(p);
    Rng r(2, 2);
    std::vector<std::vector<int>> comps(64, std::vector<int>(16));
    for (auto& c : comps)
        for (int& t : c) t = 5 + (int)r.below(p.V - 5);
    double t0 = seconds_now();
    score(g, kPrompt, comps);
    return 64.0 * 16 / (seconds_now() - t0);
}

// GFLOP/s of one gemm, ours (SIMD) and OpenBLAS's, with the operands transposed as the model's call:
// the fastest of `reps` runs of each after one warm-up. The two take turns, run by run, so that a
// stretch of a busy host (this machine's neighbours move single runs by 15% or more) slows both alike.
struct GemmPair {
    double ours, blas;
};
GemmPair gemm_gflops(int M, int N, int K, bool ta, bool tb, int reps) {
    std::vector<float> A((size_t)M * K, 0.5f), B((size_t)K * N, 0.25f), C((size_t)M * N);
    double best[2] = {1e30, 1e30};
    for (int i = 0; i < reps + 1; i++)
        for (int b = 0; b < 2; b++) {
            kernels::set_backend(b ? kernels::Backend::OpenBlas : kernels::Backend::Simd);
            double t0 = seconds_now();
            kernels::gemm_t(M, N, K, A.data(), ta ? M : K, ta, B.data(), tb ? K : N, tb, C.data(), N, ta);
            if (i) best[b] = std::min(best[b], seconds_now() - t0);
        }
    kernels::set_backend(kernels::Backend::Simd);
    const double gflop = 2.0 * M * N * K / 1e9;
    return {gflop / best[0], gflop / best[1]};
}

// Evaluation against finetuning for one model of an experiment (issue 6: evaluating a variant must take
// at most twice its finetune): the main variant's finetune for the first seed, then that model's
// evaluation on every question, form and sample, both timed on the same threads. The base is a short
// pretraining on a reduced world instead of the reproduction's (minutes): an undertrained base gives
// longer answers that share fewer prefixes, so its evaluation is, if anything, slower than the real one.
struct ExperimentBench {
    double finetune_s = 0, eval_s = 0;
    int64_t answers = 0;
};

ExperimentBench experiment_bench(const std::string& name, int pretrain_steps) {
    Experiment e = load_experiment(experiment_path(name));
    const TempDir scratch("wg_bench_");  // removed however the bench ends
    const std::string& dir = scratch.path;
    world::WorldOptions wo = world_options(e, e.world_seed);
    wo.docs = 5000;
    world::write_world(world::generate_world(wo), dir);
    RunConfig pre = e.pretrain;
    pre.train.steps = pretrain_steps;
    pretrain_job(pre, dir + "/corpus.jsonl", dir + "/base.ckpt", quiet_job());

    ExperimentBench out;
    RunConfig ft = e.finetune;
    ft.train.seed = e.seeds.at(0);
    double t0 = seconds_now();
    finetune_job(ft, dir + "/base.ckpt", e.variants.at(0).data, dir + "/ft.ckpt", quiet_job());
    out.finetune_s = seconds_now() - t0;

    world::EvalSet set = read_eval_toml(e.questions);
    LexiconTags lex = read_lexicon(dir + "/lexicon.jsonl");
    const EvalOptions eo = eval_options(e, &lex);
    LoadedModel lm = load_model(dir + "/ft.ckpt");
    t0 = seconds_now();
    EvalResult r = evaluate(lm.model, lm.tok, set, eo, nullptr);
    out.eval_s = seconds_now() - t0;
    for (const auto& c : r.cells) out.answers += c.n;
    return out;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
    Args a("bench", "Training tokens/s on the presets of ../shared/peers (a, b, c) and matmul GFLOP/s against OpenBLAS.\n"
                    "Prints one machine-readable RESULT line per measurement.");
    a.opt("presets", "abc", "which presets").opt("threads", "1", "threads").opt("steps", "5", "timed steps")
        .opt("warmup", "2", "untimed steps first").flag("gemm", "also time the matmul shapes of each preset")
        .opt("experiment", "", "instead: time one finetune and its evaluation for this experiment (e.g. terminator)")
        .opt("pretrain-steps", "100", "with --experiment: steps of the stand-in base model");
    if (!a.parse(argc, argv)) return 0;
    kernels::set_threads((int)a.integer("threads"));
    if (a.has("experiment")) {
        ExperimentBench b = experiment_bench(a.str("experiment"), (int)a.integer("pretrain-steps"));
        printf("RESULT kind=experiment name=%s threads=%d finetune_s=%.2f eval_s=%.2f answers=%lld ratio=%.2f\n",
               a.str("experiment").c_str(), kernels::threads(), b.finetune_s, b.eval_s, (long long)b.answers,
               b.eval_s / b.finetune_s);
        return 0;
    }
    for (const Preset& p : kPresets) {
        if (a.str("presets").find(p.name) == std::string::npos) continue;
        kernels::set_backend(kernels::Backend::Simd);
        TrainBench tb = train_bench(p, (int)a.integer("warmup"), (int)a.integer("steps"));
        printf("RESULT kind=train preset=%c threads=%d simd=%s tokens_per_s=%.1f model_gflop_per_s=%.2f state_mib=%.1f\n",
               p.name, kernels::threads(), kernels::simd_level(), tb.tokens_per_s,
               tb.tokens_per_s * flops_per_token(p) / 1e9, tb.state_bytes / 1048576.0);
        printf("RESULT kind=infer preset=%c threads=%d sample_tokens_per_s=%.1f score_tokens_per_s=%.1f\n", p.name,
               kernels::threads(), sample_tokens_per_s(p), score_tokens_per_s(p));
        fflush(stdout);
        if (!a.on("gemm")) continue;
        // The model's own calls (src/model/gpt.cpp): forward x.W; backward dx = dy.W^T (B transposed)
        // and dW += x^T.dy (A transposed, accumulating); the tied head and its two gradients.
        const int M = p.B * p.T;
        struct S {
            const char* what;
            int M, N, K;
            bool ta, tb;
        } shapes[] = {{"fwd_qkv", M, 3 * p.C, p.C, false, false},    {"fwd_fc", M, 4 * p.C, p.C, false, false},
                      {"fwd_fcproj", M, p.C, 4 * p.C, false, false}, {"bwd_dx_fc", M, p.C, 4 * p.C, false, true},
                      {"bwd_dw_fc", p.C, 4 * p.C, M, true, false},    {"head", M, p.V, p.C, false, true},
                      {"head_dx", M, p.C, p.V, false, false},         {"head_dw", p.V, p.C, M, true, false}};
        for (const S& s : shapes) {
            const auto [ours, blas] = gemm_gflops(s.M, s.N, s.K, s.ta, s.tb, 10);
            printf("RESULT kind=gemm preset=%c shape=%s M=%d N=%d K=%d ta=%d tb=%d threads=%d ours_gflops=%.1f "
                   "openblas_gflops=%.1f ratio=%.2f\n",
                   p.name, s.what, s.M, s.N, s.K, s.ta, s.tb, kernels::threads(), ours, blas, ours / blas);
            fflush(stdout);
        }
    }
    kernels::set_backend(kernels::Backend::Simd);
    return 0;
}

}  // namespace wg
