// Every kernel: the SIMD version returns the scalar reference's bits on random shapes (odd sizes
// included), 2 threads return 1 thread's bits, the matmul agrees with OpenBLAS, and the kit's
// exp/log/tanh are accurate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "helpers.h"
#include "kernels/kernels.h"

namespace K = wg::kernels;

namespace {

std::vector<float> randv(size_t n, uint64_t stream, float scale = 1.0f) { return test::randv(n, 1234, stream, scale); }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

// Runs f under a backend and thread count, restoring the defaults.
void with(K::Backend b, int threads, const std::function<void()>& f) {
    K::set_backend(b);
    K::set_threads(threads);
    f();
    K::set_backend(K::Backend::Simd);
    K::set_threads(1);
}

// f writes its outputs into the vector it returns; scalar, SIMD 1 thread and SIMD 2 threads must agree,
// and on an AVX-512 CPU so must its AVX2 kernels.
void check_all_equal(const std::function<std::vector<float>()>& f) {
    std::vector<float> ref, simd, simd2, avx2;
    with(K::Backend::Scalar, 1, [&] { ref = f(); });
    with(K::Backend::Simd, 1, [&] { simd = f(); });
    with(K::Backend::Simd, 2, [&] { simd2 = f(); });
    REQUIRE(same_bits(ref, simd));
    REQUIRE(same_bits(simd, simd2));
    if (std::string(K::simd_level()) == "avx512") {
        K::limit_simd_to_avx2(true);
        with(K::Backend::Simd, 1, [&] { avx2 = f(); });
        K::limit_simd_to_avx2(false);
        REQUIRE(same_bits(ref, avx2));
    }
}

struct Shape {
    int M, N, K;
};
// Among the last three: a long K (four blocks of 256 and a ragged 76 with AVX2, seventeen of 64 and a
// ragged 12 with AVX-512), two row blocks, and nineteen panels of 16 or five of 64 with a ragged last one,
// so that every mode and transposition also runs where partial sums wait in memory between blocks and
// where op(A) is packed; a last AVX-512 panel of 56 columns (a partial mask on its fourth vector) with B
// packed on two threads; and more panels than one thread's buffer of sums holds with AVX2 (44 of 16), so
// the panels are split into groups even on one thread (with AVX-512 every group is one panel). And 40
// rows against 512 columns in one block of K with AVX2: B's rows 2 KiB apart, so the panels read in place
// are first copied. And AVX-512's narrow tiles (32 columns or fewer) over two row blocks and several
// blocks of K, whole and ragged.
const Shape kShapes[] = {{1, 1, 1},       {1, 17, 5},       {7, 13, 5},      {6, 16, 32},
                         {37, 70, 129},   {100, 33, 64},    {13, 96, 1},     {200, 130, 7},
                         {128, 70, 300},  {110, 300, 1100}, {130, 120, 600}, {20, 700, 300},
                         {40, 512, 100},  {130, 32, 300},   {100, 29, 150}};

}  // namespace

TEST_CASE("cpu and backend", "[kernels]") {
    INFO("SIMD level of this CPU: " << K::simd_level());
    CHECK(std::string(K::simd_level()) != "");
}

TEST_CASE("gemm: SIMD == scalar bits, 1 == 2 threads, all modes", "[kernels]") {
    int s = 0;
    for (Shape sh : kShapes)
        for (int mode = 0; mode < 3; mode++) {
            auto A = randv((size_t)sh.M * sh.K, s++), B = randv((size_t)sh.K * sh.N, s++), bias = randv(sh.N, s++);
            auto C0 = randv((size_t)sh.M * sh.N, s++);
            check_all_equal([&] {
                auto C = C0;
                K::gemm(sh.M, sh.N, sh.K, A.data(), sh.K, B.data(), sh.N, C.data(), sh.N, mode == 2,
                        mode == 1 ? bias.data() : nullptr);
                return C;
            });
        }
}

TEST_CASE("transpose: every element to its place, in 8 x 8 blocks and on the ragged edges", "[kernels]") {
    for (Shape sh : {Shape{1, 1, 0}, Shape{7, 9, 0}, Shape{8, 8, 0}, Shape{16, 24, 0}, Shape{19, 33, 0}, Shape{128, 32, 0}}) {
        const int rows = sh.M, cols = sh.N, lds = cols + 3, ldd = rows + 5;  // strides wider than the rows
        auto src = randv((size_t)rows * lds, 90);
        check_all_equal([&] {
            std::vector<float> dst((size_t)cols * ldd, -1.0f);
            K::transpose(rows, cols, src.data(), lds, dst.data(), ldd);
            for (int j = 0; j < cols; j++)
                for (int i = 0; i < ldd; i++)  // the padding of each row is left alone
                    REQUIRE(same_bits({dst[(size_t)j * ldd + i]}, {i < rows ? src[(size_t)i * lds + j] : -1.0f}));
            return dst;
        });
    }
}

TEST_CASE("gemm_t: transposed operands give the bits of explicit transposes", "[kernels]") {
    int s = 100;
    for (Shape sh : kShapes)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                auto A = randv((size_t)sh.M * sh.K, s++), B = randv((size_t)sh.K * sh.N, s++);
                std::vector<float> At((size_t)sh.K * sh.M), Bt((size_t)sh.N * sh.K);
                K::transpose(sh.M, sh.K, A.data(), sh.K, At.data(), sh.M);
                K::transpose(sh.K, sh.N, B.data(), sh.N, Bt.data(), sh.K);
                std::vector<float> want((size_t)sh.M * sh.N);
                K::set_backend(K::Backend::Scalar);
                K::gemm(sh.M, sh.N, sh.K, A.data(), sh.K, B.data(), sh.N, want.data(), sh.N, false);
                K::set_backend(K::Backend::Simd);
                check_all_equal([&] {
                    std::vector<float> C((size_t)sh.M * sh.N);
                    K::gemm_t(sh.M, sh.N, sh.K, ta ? At.data() : A.data(), ta ? sh.M : sh.K, ta, tb ? Bt.data() : B.data(),
                              tb ? sh.K : sh.N, tb, C.data(), sh.N, false);
                    return C;
                });
                std::vector<float> C((size_t)sh.M * sh.N);
                K::gemm_t(sh.M, sh.N, sh.K, ta ? At.data() : A.data(), ta ? sh.M : sh.K, ta, tb ? Bt.data() : B.data(),
                          tb ? sh.K : sh.N, tb, C.data(), sh.N, false);
                REQUIRE(same_bits(C, want));
            }
}

TEST_CASE("gemm: a long reduction (several K blocks) keeps the one-chain order", "[kernels]") {
    const int M = 13, N = 40, Kd = 1000;
    auto A = randv((size_t)M * Kd, 200), B = randv((size_t)Kd * N, 201);
    check_all_equal([&] {
        std::vector<float> C((size_t)M * N);
        K::gemm(M, N, Kd, A.data(), Kd, B.data(), N, C.data(), N, false);
        return C;
    });
}

TEST_CASE("gemm with leading dimensions larger than the width", "[kernels]") {
    const int M = 19, N = 23, Kd = 11, lda = 30, ldb = 40, ldc = 50;
    auto A = randv((size_t)M * lda, 1), B = randv((size_t)Kd * ldb, 2);
    check_all_equal([&] {
        std::vector<float> C((size_t)M * ldc, 7.0f);
        K::gemm(M, N, Kd, A.data(), lda, B.data(), ldb, C.data(), ldc, false);
        return C;
    });
}

TEST_CASE("gemm agrees with OpenBLAS within 1e-5 relative", "[kernels]") {
    for (Shape sh : kShapes) {
        auto A = randv((size_t)sh.M * sh.K, 10), B = randv((size_t)sh.K * sh.N, 11);
        std::vector<float> ours((size_t)sh.M * sh.N), blas(ours.size());
        with(K::Backend::Simd, 1, [&] { K::gemm(sh.M, sh.N, sh.K, A.data(), sh.K, B.data(), sh.N, ours.data(), sh.N, false); });
        with(K::Backend::OpenBlas, 1, [&] { K::gemm(sh.M, sh.N, sh.K, A.data(), sh.K, B.data(), sh.N, blas.data(), sh.N, false); });
        for (int i = 0; i < sh.M; i++)
            for (int j = 0; j < sh.N; j++) {
                double mag = 0, exact = 0;  // relative to the sum of |a b|, the scale of rounding
                for (int p = 0; p < sh.K; p++) {
                    mag += std::fabs((double)A[(size_t)i * sh.K + p] * B[(size_t)p * sh.N + j]);
                    exact += (double)A[(size_t)i * sh.K + p] * B[(size_t)p * sh.N + j];
                }
                REQUIRE(std::fabs(ours[(size_t)i * sh.N + j] - blas[(size_t)i * sh.N + j]) <= 1e-5 * mag + 1e-30);
                REQUIRE(std::fabs(ours[(size_t)i * sh.N + j] - exact) <= 1e-5 * mag + 1e-30);
            }
    }
}

TEST_CASE("column sums: whole and ragged chunks of 64 columns give the rows' ordered sums", "[kernels]") {
    for (int N : {5, 64, 200}) {
        const int M = 37;
        auto x = randv((size_t)M * N, 25);
        check_all_equal([&] {
            std::vector<float> out(N, 0.25f);
            K::column_sums_add(out.data(), x.data(), M, N);
            return out;
        });
        std::vector<float> out(N, 0.25f);
        K::column_sums_add(out.data(), x.data(), M, N);
        for (int j = 0; j < N; j++) {
            float acc = 0.0f;  // the canonical order: one chain down the column, then one add
            for (int m = 0; m < M; m++) acc = acc + x[(size_t)m * N + j];
            REQUIRE(out[j] == 0.25f + acc);
        }
    }
}

TEST_CASE("matmul backward: SIMD == scalar, and equals the plain sums", "[kernels]") {
    const int M = 29, IN = 21, OUT = 35;
    auto inp = randv((size_t)M * IN, 20), W = randv((size_t)IN * OUT, 21), dout = randv((size_t)M * OUT, 22);
    check_all_equal([&] {
        std::vector<float> dinp((size_t)M * IN), dW((size_t)IN * OUT, 0.5f), db(OUT, 0.25f);
        K::matmul_backward(dinp.data(), dW.data(), db.data(), dout.data(), inp.data(), W.data(), M, IN, OUT);
        std::vector<float> all = dinp;
        all.insert(all.end(), dW.begin(), dW.end());
        all.insert(all.end(), db.begin(), db.end());
        return all;
    });
    std::vector<float> dinp((size_t)M * IN), dW((size_t)IN * OUT, 0.0f), db(OUT, 0.0f);
    K::matmul_backward(dinp.data(), dW.data(), db.data(), dout.data(), inp.data(), W.data(), M, IN, OUT);
    for (int m = 0; m < M; m++)
        for (int i = 0; i < IN; i++) {
            double s = 0;
            for (int o = 0; o < OUT; o++) s += (double)dout[(size_t)m * OUT + o] * W[(size_t)i * OUT + o];
            REQUIRE(std::fabs(dinp[(size_t)m * IN + i] - s) < 1e-5);
        }
    for (int i = 0; i < IN; i++)
        for (int o = 0; o < OUT; o++) {
            double s = 0;
            for (int m = 0; m < M; m++) s += (double)inp[(size_t)m * IN + i] * dout[(size_t)m * OUT + o];
            REQUIRE(std::fabs(dW[(size_t)i * OUT + o] - s) < 1e-5);
        }
}

TEST_CASE("canonical sums: SIMD == scalar for every length", "[kernels]") {
    for (int n : {0, 1, 7, 8, 9, 15, 16, 17, 100, 1001}) {
        auto a = randv(n, 30 + n), b = randv(n, 31 + n);
        check_all_equal([&] { return std::vector<float>{K::sum(a.data(), n), K::dot(a.data(), b.data(), n)}; });
    }
}

TEST_CASE("max and exp_shifted: SIMD == scalar, the largest element and exp of each difference", "[kernels]") {
    for (int n : {1, 7, 8, 9, 16, 17, 1024, 1031}) {
        auto x = randv(n, 60 + n, 20.0f);
        const float want_max = *std::max_element(x.begin(), x.end());
        check_all_equal([&] {
            const float mx = K::max(x.data(), n);
            REQUIRE(mx == want_max);
            std::vector<float> e(n), d(n);
            K::exp_shifted(e.data(), x.data(), n, mx);
            for (int i = 0; i < n; i++) d[i] = x[i] - mx;
            std::vector<float> want(n);
            K::exp_array(want.data(), d.data(), n);  // the same exp, applied to the differences
            REQUIRE(std::memcmp(e.data(), want.data(), n * sizeof(float)) == 0);
            return e;
        });
    }
}

TEST_CASE("layernorm forward and backward: SIMD == scalar", "[kernels]") {
    for (int C : {1, 7, 8, 33, 96}) {
        const int M = 11;
        auto x = randv((size_t)M * C, 40, 3.0f), w = randv(C, 41), b = randv(C, 42), dy = randv((size_t)M * C, 43);
        check_all_equal([&] {
            std::vector<float> y((size_t)M * C), mean(M), rstd(M), dx((size_t)M * C, 0.1f), dw(C, 0.0f), db(C, 0.0f);
            K::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), M, C);
            K::layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), M, C);
            for (auto* v : {&mean, &rstd, &dx, &dw, &db}) y.insert(y.end(), v->begin(), v->end());
            return y;
        });
    }
}

TEST_CASE("gelu forward and backward: SIMD == scalar", "[kernels]") {
    // Scale 60 reaches tanh's saturation and exp's clamp at -87 (u up to about 7,800).
    for (const auto& case_ : {std::pair<size_t, float>{1, 6.0f}, {7, 6.0f}, {8, 6.0f}, {9, 6.0f}, {4095, 6.0f},
                              {4097, 6.0f}, {10000, 6.0f}, {4111, 60.0f}}) {
        const size_t n = case_.first;  // not a structured binding: clang 14 cannot capture one in a lambda
        auto x = randv(n, 50, case_.second), dy = randv(n, 51);
        check_all_equal([&] {
            std::vector<float> y(n), dx(n);
            K::gelu_forward(y.data(), x.data(), n);
            K::gelu_backward(dx.data(), x.data(), dy.data(), n);
            y.insert(y.end(), dx.begin(), dx.end());
            return y;
        });
    }
}

TEST_CASE("attention forward and backward: SIMD == scalar, 1 == 2 threads", "[kernels]") {
    struct A {
        int B, T, C, NH;
    };
    for (A s : {A{1, 1, 4, 1}, A{2, 7, 12, 3}, A{3, 19, 32, 4}, A{2, 33, 40, 5}}) {
        auto qkv = randv((size_t)s.B * s.T * 3 * s.C, 60, 2.0f), dy = randv((size_t)s.B * s.T * s.C, 61);
        check_all_equal([&] {
            std::vector<float> out((size_t)s.B * s.T * s.C), att((size_t)s.B * s.NH * s.T * s.T), dqkv(qkv.size());
            K::attention_forward(out.data(), att.data(), qkv.data(), s.B, s.T, s.C, s.NH);
            K::attention_backward(dqkv.data(), dy.data(), qkv.data(), att.data(), s.B, s.T, s.C, s.NH);
            out.insert(out.end(), att.begin(), att.end());
            out.insert(out.end(), dqkv.begin(), dqkv.end());
            return out;
        });
    }
}

// The canonical attention written out in full: every chain runs over all T keys (or queries), the
// masked terms included. The kernels skip the masked blocks; the bits must be these.
static void attention_reference(std::vector<float>& out, std::vector<float>& att, std::vector<float>& dqkv,
                         const std::vector<float>& qkv, const std::vector<float>& dy, int B, int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    auto chain = [](int n, auto term) {
        float acc = 0.0f;
        for (int i = 0; i < n; i++) acc = __builtin_fmaf(term(i).first, term(i).second, acc);
        return acc;
    };
    std::vector<float> dp((size_t)T * T);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            auto Q = [&](int t, int d) { return qkv[(size_t)(b * T + t) * C3 + h * hs + d]; };
            auto Kk = [&](int t, int d) { return qkv[(size_t)(b * T + t) * C3 + C + h * hs + d]; };
            auto V = [&](int t, int d) { return qkv[(size_t)(b * T + t) * C3 + 2 * C + h * hs + d]; };
            auto dO = [&](int t, int d) { return dy[(size_t)(b * T + t) * C + h * hs + d]; };
            float* P = &att[(size_t)(b * NH + h) * T * T];
            for (int t = 0; t < T; t++) {
                float* p = P + (size_t)t * T;
                for (int u = 0; u <= t; u++) p[u] = chain(hs, [&](int d) { return std::make_pair(Q(t, d), Kk(u, d)); }) * scale;
                float mx = p[0];
                for (int u = 0; u <= t; u++) mx = p[u] > mx ? p[u] : mx;
                for (int u = 0; u <= t; u++) p[u] = K::exp(p[u] - mx);
                float s = K::sum(p, t + 1);
                for (int u = 0; u <= t; u++) p[u] = p[u] / s;
                for (int u = t + 1; u < T; u++) p[u] = 0.0f;
                for (int d = 0; d < hs; d++)
                    out[(size_t)(b * T + t) * C + h * hs + d] = chain(T, [&](int u) { return std::make_pair(p[u], V(u, d)); });
            }
            for (int t = 0; t < T; t++) {
                float* g = &dp[(size_t)t * T];
                const float* p = P + (size_t)t * T;
                for (int u = 0; u < T; u++) g[u] = chain(hs, [&](int d) { return std::make_pair(dO(t, d), V(u, d)); });
                float pd = K::dot(p, g, t + 1);
                for (int u = 0; u < T; u++) g[u] = u <= t ? (p[u] * (g[u] - pd)) * scale : 0.0f;
            }
            for (int t = 0; t < T; t++)
                for (int d = 0; d < hs; d++) {
                    float* row = &dqkv[(size_t)(b * T + t) * C3 + h * hs + d];
                    row[0] = chain(T, [&](int u) { return std::make_pair(dp[(size_t)t * T + u], Kk(u, d)); });
                    row[C] = chain(T, [&](int u) { return std::make_pair(dp[(size_t)u * T + t], Q(u, d)); });
                    row[2 * C] = chain(T, [&](int u) { return std::make_pair(P[(size_t)u * T + t], dO(u, d)); });
                }
        }
}

TEST_CASE("attention skips the masked blocks and gives the full chains' bits", "[kernels]") {
    struct A {
        int B, T, C, NH;
    };
    // T beyond one block of 32 queries, with a ragged last block; head sizes 4 to 32.
    for (A s : {A{1, 5, 8, 2}, A{2, 33, 16, 4}, A{1, 70, 64, 2}, A{2, 128, 96, 3}}) {
        auto qkv = randv((size_t)s.B * s.T * 3 * s.C, 66, 2.0f), dy = randv((size_t)s.B * s.T * s.C, 67);
        std::vector<float> out((size_t)s.B * s.T * s.C), att((size_t)s.B * s.NH * s.T * s.T), dqkv(qkv.size());
        std::vector<float> r_out(out.size()), r_att(att.size()), r_dqkv(qkv.size());
        attention_reference(r_out, r_att, r_dqkv, qkv, dy, s.B, s.T, s.C, s.NH);
        for (auto b : {K::Backend::Scalar, K::Backend::Simd})
            with(b, 1, [&] {
                K::attention_forward(out.data(), att.data(), qkv.data(), s.B, s.T, s.C, s.NH);
                K::attention_backward(dqkv.data(), dy.data(), qkv.data(), att.data(), s.B, s.T, s.C, s.NH);
                REQUIRE(same_bits(out, r_out));
                REQUIRE(same_bits(att, r_att));
                REQUIRE(same_bits(dqkv, r_dqkv));
            });
    }
}

TEST_CASE("attend_one (the KV-cache path) gives the full attention's values", "[kernels]") {
    const int T = 13, C = 24, NH = 3, hs = C / NH;
    auto qkv = randv((size_t)T * 3 * C, 65, 2.0f);
    std::vector<float> out((size_t)T * C), att((size_t)NH * T * T);
    K::attention_forward(out.data(), att.data(), qkv.data(), 1, T, C, NH);
    std::vector<float> keys_t((size_t)C * T);  // the decoder's layout: dimension-major
    K::transpose(T, C, &qkv[C], 3 * C, keys_t.data(), T);
    for (auto b : {K::Backend::Scalar, K::Backend::Simd}) {
        K::set_backend(b);
        std::vector<float> o(hs), scratch(T);
        for (int t = 0; t < T; t++)
            for (int h = 0; h < NH; h++) {
                K::attend_one(o.data(), &qkv[(size_t)t * 3 * C + h * hs], &keys_t[(size_t)h * hs * T], T, &qkv[2 * C + h * hs],
                              3 * C, t + 1, hs, scratch.data());
                for (int d = 0; d < hs; d++) REQUIRE(o[d] == out[(size_t)t * C + h * hs + d]);
            }
    }
    K::set_backend(K::Backend::Simd);
}

TEST_CASE("softmax + cross-entropy: SIMD == scalar, and the right values", "[kernels]") {
    const int M = 9, V = 37;
    auto z = randv((size_t)M * V, 70, 5.0f);
    std::vector<int> t = {0, 36, 5, -1, 12, 12, 30, 1, 2};
    check_all_equal([&] {
        auto g = z;
        std::vector<float> loss(M);
        K::softmax_xent(g.data(), loss.data(), t.data(), M, V, 0.5f, true);
        g.insert(g.end(), loss.begin(), loss.end());
        return g;
    });
    std::vector<float> g = z, loss(M);
    K::softmax_xent(g.data(), loss.data(), t.data(), M, V, 1.0f, true);
    for (int m = 0; m < M; m++) {
        if (t[m] < 0) {
            REQUIRE(loss[m] == 0.0f);
            continue;
        }
        double mx = -1e30, s = 0;
        for (int i = 0; i < V; i++) mx = std::max(mx, (double)z[(size_t)m * V + i]);
        for (int i = 0; i < V; i++) s += std::exp(z[(size_t)m * V + i] - mx);
        double want = std::log(s) - (z[(size_t)m * V + t[m]] - mx);
        REQUIRE(std::fabs(loss[m] - want) < 1e-5);
        for (int i = 0; i < V; i++) {
            double p = std::exp(z[(size_t)m * V + i] - mx) / s - (i == t[m]);
            REQUIRE(std::fabs(g[(size_t)m * V + i] - p) < 1e-6);
        }
    }
}

TEST_CASE("adamw: SIMD == scalar, and one step by hand", "[kernels]") {
    const size_t n = 100003;
    auto p0 = randv(n, 80), g = randv(n, 81), m0 = randv(n, 82, 0.1f), v0 = randv(n, 83, 0.1f);
    for (auto& v : v0) v = std::fabs(v);
    check_all_equal([&] {
        auto p = p0, m = m0, v = v0;
        K::adamw(p.data(), g.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.19f, 0.0975f, 0.7f);
        p.insert(p.end(), m.begin(), m.end());
        p.insert(p.end(), v.begin(), v.end());
        return p;
    });
    float p = 1.0f, m = 0.0f, v = 0.0f, grad = 0.5f;
    K::adamw(&p, &grad, &m, &v, 1, 0.1f, 0.9f, 0.99f, 0.0f, 0.0f, 0.1f, 0.01f, 1.0f);
    REQUIRE(std::fabs(p - 0.9f) < 1e-6);  // the first step moves by lr * sign(g) without decay
}

TEST_CASE("exp, log, tanh: accurate, and the vector forms give the scalar bits", "[kernels]") {
    std::vector<float> xs;
    wg::Rng r(7, 7);
    for (int i = 0; i < 20000; i++) xs.push_back((r.uniform() * 2 - 1) * 87.0f);
    for (int i = 0; i < 2000; i++) xs.push_back((r.uniform() * 2 - 1) * 0.01f);
    for (float x : xs) {
        double e = std::exp((double)x);
        REQUIRE(std::fabs(K::exp(x) - e) <= 2e-7 * e);
        REQUIRE(std::fabs(K::tanh(x) - std::tanh((double)x)) <= 2e-7);
        float a = std::fabs(x) + 1e-30f;
        double l = std::log((double)a);
        REQUIRE(std::fabs(K::log(a) - l) <= 2e-7 * std::max(1.0, std::fabs(l)));
    }
    REQUIRE(K::log(0.0f) == -INFINITY);
    REQUIRE(std::isnan(K::log(-1.0f)));
    REQUIRE(K::log(INFINITY) == INFINITY);
    REQUIRE(std::fabs(K::log(1e-40f) - std::log(1e-40)) < 1e-5);
    REQUIRE(K::exp(-INFINITY) < 1e-37f);
    REQUIRE(K::tanh(100.0f) == 1.0f);
    REQUIRE(K::tanh(-100.0f) == -1.0f);
    std::vector<float> special = {0.0f, -0.0f, 1e-40f, -1.0f, INFINITY, -INFINITY, NAN, 88.5f, -90.0f, 1.0f, 2.0f, 3.0f};
    xs.insert(xs.end(), special.begin(), special.end());
    for (auto fn : {&K::exp_array, &K::log_array, &K::tanh_array})
        check_all_equal([&] {
            std::vector<float> out(xs.size());
            fn(out.data(), xs.data(), xs.size());
            return out;
        });
}
