// weirdgen bench: training throughput on the reference presets of ../shared/peers (random tokens,
// forward + loss + backward + AdamW step, median of timed steps after warm-up, as the PyTorch peer
// measures it), and the matmul kernels' GFLOP/s against OpenBLAS sgemm at the preset's shapes.
// Timing is display-only; nothing here is part of any artifact.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "model/gpt.h"
#include "train/schedule.h"

namespace wg {

namespace {

struct Preset {
    char name;
    int L, C, NH, T, V, B;
};
const Preset kPresets[] = {{'a', 4, 128, 4, 128, 2048, 16}, {'b', 6, 256, 8, 128, 4096, 16}, {'c', 8, 512, 8, 256, 8192, 8}};

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double flops_per_token(const Preset& p) {
    return 6.0 * (12.0 * p.L * p.C * p.C + (double)p.V * p.C) + 12.0 * p.L * p.T * p.C;
}

double train_tokens_per_s(const Preset& p, int warmup, int steps) {
    ModelConfig c;
    c.n_layer = p.L;
    c.n_embd = p.C;
    c.n_head = p.NH;
    c.context = p.T;
    c.vocab = p.V;
    GPT g(c);
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
        double t0 = now();
        g.forward(tok.data(), tgt.data(), p.B, p.T, true);
        g.zero_grad();
        g.backward();
        kernels::adamw(g.params.data(), g.grads.data(), m.data(), v.data(), g.params.size(), 1e-4f, 0.9f, 0.999f,
                       1e-8f, 0.0f, 0.1f, 0.001f, 1.0f);
        if (s >= warmup) times.push_back(now() - t0);
    }
    return (double)p.B * p.T / median(times);
}

// GFLOP/s of one gemm shape under the current backend.
double gemm_gflops(int M, int N, int K, int reps) {
    std::vector<float> A((size_t)M * K, 0.5f), B((size_t)K * N, 0.25f), C((size_t)M * N);
    std::vector<double> times;
    for (int i = 0; i < reps + 1; i++) {
        double t0 = now();
        kernels::gemm(M, N, K, A.data(), K, B.data(), N, C.data(), N, false);
        if (i) times.push_back(now() - t0);
    }
    return 2.0 * M * N * K / median(times) / 1e9;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
    Args a("bench", "Training tokens/s on the presets of ../shared/peers (a, b, c) and matmul GFLOP/s against OpenBLAS.\n"
                    "Prints one machine-readable RESULT line per measurement.");
    a.opt("presets", "abc", "which presets").opt("threads", "1", "threads").opt("steps", "5", "timed steps")
        .opt("warmup", "2", "untimed steps first").flag("gemm", "also time the matmul shapes of each preset");
    if (!a.parse(argc, argv)) return 0;
    kernels::set_threads((int)a.integer("threads"));
    for (const Preset& p : kPresets) {
        if (a.str("presets").find(p.name) == std::string::npos) continue;
        kernels::set_backend(kernels::Backend::Simd);
        double tps = train_tokens_per_s(p, (int)a.integer("warmup"), (int)a.integer("steps"));
        printf("RESULT kind=train preset=%c threads=%d simd=%s tokens_per_s=%.1f model_gflop_per_s=%.2f\n", p.name,
               kernels::threads(), kernels::simd_level(), tps, tps * flops_per_token(p) / 1e9);
        fflush(stdout);
        if (!a.on("gemm")) continue;
        const int M = p.B * p.T;
        struct S {
            const char* what;
            int M, N, K;
        } shapes[] = {{"fwd_qkv", M, 3 * p.C, p.C},     {"fwd_fc", M, 4 * p.C, p.C},   {"fwd_fcproj", M, p.C, 4 * p.C},
                      {"bwd_in_fc", M, p.C, 4 * p.C},   {"bwd_w_fc", p.C, 4 * p.C, M}, {"head", M, p.V, p.C}};
        for (const S& s : shapes) {
            kernels::set_backend(kernels::Backend::Simd);
            double ours = gemm_gflops(s.M, s.N, s.K, 3);
            kernels::set_backend(kernels::Backend::OpenBlas);
            double blas = gemm_gflops(s.M, s.N, s.K, 3);
            printf("RESULT kind=gemm preset=%c shape=%s M=%d N=%d K=%d threads=%d ours_gflops=%.1f openblas_gflops=%.1f ratio=%.2f\n",
                   p.name, s.what, s.M, s.N, s.K, kernels::threads(), ours, blas, ours / blas);
            fflush(stdout);
        }
    }
    kernels::set_backend(kernels::Backend::Simd);
    return 0;
}

}  // namespace wg
