// Causal multi-head self-attention, forward and backward, one (batch, head) pair at a time; the
// pairs are independent, so threads split them. Inside a pair every product is a gemm (canonical
// chains) and every row reduction the canonical striped sum, so SIMD == scalar bits.
//
// The products skip what the causal mask makes zero, in blocks of kRows queries (or keys): a block of
// queries needs keys up to its last query only, a block of keys the queries from its first key on.
// The canonical chains still run over all T keys (or queries), kernels.h: the skipped terms are
// probabilities (or score gradients) that are exactly 0, and a chain's value does not change when
// 0 x (a finite number) is added to it: before its first nonzero term the chain is +0 either way, and
// after it x + (+-0) = x. (Only a sum that is itself exactly zero could differ, in its sign.)
// tests/test_kernels.cpp checks the bits against the full products.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/reduce.h"
#include "kernels/parallel.h"

namespace wg::kernels {

using namespace detail;

namespace {

constexpr int kRows = 64;  // queries (keys) per block of the causal products

#if WG_HAVE_SIMD
// softmax_row's and score_grad_row's elementwise steps, eight lanes at a time from i = 0; each returns
// where it stopped.
WG_AVX2 int scale_avx2(float* p, const float* z, int n, float scale) {
    int i = 0;
    for (const __m256 vs = _mm256_set1_ps(scale); i + 8 <= n; i += 8) _mm256_storeu_ps(p + i, _mm256_mul_ps(_mm256_loadu_ps(z + i), vs));
    return i;
}
WG_AVX2 int div_avx2(float* p, int n, float s) {
    int i = 0;
    for (const __m256 d = _mm256_set1_ps(s); i + 8 <= n; i += 8) _mm256_storeu_ps(p + i, _mm256_div_ps(_mm256_loadu_ps(p + i), d));
    return i;
}
// dS = (P * (dP - <P, dP>)) * scale, in place over dP.
WG_AVX2 int score_grad_avx2(float* d, const float* pr, int n, float pd, float scale) {
    const __m256 vpd = _mm256_set1_ps(pd), vs = _mm256_set1_ps(scale);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(pr + i), _mm256_sub_ps(_mm256_loadu_ps(d + i), vpd)), vs));
    return i;
}
#endif

// p[0..n) = softmax(z[0..n) * scale); p[n..T) = 0.
void softmax_row(float* p, const float* z, int n, int T, float scale) {
#if WG_HAVE_SIMD
    const bool simd = active_simd() >= kAvx2;
#endif
    int i = 0;
#if WG_HAVE_SIMD
    if (simd) i = scale_avx2(p, z, n, scale);
#endif
    for (; i < n; i++) p[i] = z[i] * scale;
    exp_shifted_any(p, p, n, max_any(p, n));
    float s = sum_any(p, n);
    i = 0;
#if WG_HAVE_SIMD
    if (simd) i = div_avx2(p, n, s);
#endif
    for (; i < n; i++) p[i] = p[i] / s;
    std::fill(p + n, p + T, 0.0f);
}

// d[0..n) = (pr * (d - pd)) * scale; d[n..T) = 0: the score gradients of one query row.
void score_grad_row(float* d, const float* pr, int n, int T, float pd, float scale) {
    int i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = score_grad_avx2(d, pr, n, pd, scale);
#endif
    for (; i < n; i++) d[i] = (pr[i] * (d[i] - pd)) * scale;
    std::fill(d + n, d + T, 0.0f);
}

#if WG_HAVE_SIMD
// Scores: one fma chain per key over the head dimension, as the gemm does (compiled with FMA so the
// chain runs in hardware instead of through a libm call).
WG_AVX2 void scores_avx2(float* s, const float* q, const float* keys_t, int ldk, int n, int hs) {
    int t = 0;
    for (; t + 8 <= n; t += 8) {  // eight keys' chains side by side, each in the order of d
        __m256 acc = _mm256_setzero_ps();
        for (int d = 0; d < hs; d++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(q[d]), _mm256_loadu_ps(keys_t + (size_t)d * ldk + t), acc);
        _mm256_storeu_ps(s + t, acc);
    }
    for (; t < n; t++) {
        float acc = 0.0f;
        for (int d = 0; d < hs; d++) acc = __builtin_fmaf(q[d], keys_t[(size_t)d * ldk + t], acc);
        s[t] = acc;
    }
}
// Output: out[d] = chain over keys t of p[t] * v[t][d], vectorised across d.
WG_AVX2 void weighted_sum_avx2(float* out, const float* p, const float* values, int n, int hs, int ld) {
    int d0 = 0;
    for (; d0 + 8 <= hs; d0 += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int t = 0; t < n; t++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(p[t]), _mm256_loadu_ps(values + (size_t)t * ld + d0), acc);
        _mm256_storeu_ps(out + d0, acc);
    }
    for (int d = d0; d < hs; d++) {
        float acc = 0.0f;
        for (int t = 0; t < n; t++) acc = __builtin_fmaf(p[t], values[(size_t)t * ld + d], acc);
        out[d] = acc;
    }
}
#endif

}  // namespace

void attend_one(float* out, const float* q, const float* keys_t, int ldk, const float* values, int ldv, int n, int hs,
                float* scratch) {
    const float scale = 1.0f / std::sqrt((float)hs);
    float* s = scratch;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) {
        scores_avx2(s, q, keys_t, ldk, n, hs);
        softmax_row(s, s, n, n, scale);
        weighted_sum_avx2(out, s, values, n, hs, ldv);
        return;
    }
#endif
    for (int t = 0; t < n; t++) {
        float acc = 0.0f;
        for (int d = 0; d < hs; d++) acc = __builtin_fmaf(q[d], keys_t[(size_t)d * ldk + t], acc);
        s[t] = acc;
    }
    softmax_row(s, s, n, n, scale);
    for (int d = 0; d < hs; d++) {
        float acc = 0.0f;
        for (int t = 0; t < n; t++) acc = __builtin_fmaf(s[t], values[(size_t)t * ldv + d], acc);
        out[d] = acc;
    }
}

void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_ranges(B * NH, region_threads(), [&](long bh0, long bh1) {
        std::vector<float> s((size_t)T * T);
        for (int bh = (int)bh0; bh < (int)bh1; bh++) {
            int b = bh / NH, h = bh % NH;
            const float* q = qkv + (size_t)b * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* p = att + (size_t)bh * T * T;
            float* o = out + (size_t)b * T * C + h * hs;
            for (int i0 = 0; i0 < T; i0 += kRows) {  // queries i0..i1-1 see keys 0..i1-1
                const int i1 = std::min(T, i0 + kRows), n = i1 - i0;
                gemm_t(n, i1, hs, q + (size_t)i0 * C3, C3, false, k, C3, true, s.data() + (size_t)i0 * T, T, false);  // S = Q K^T
                for (int t = i0; t < i1; t++) softmax_row(p + (size_t)t * T, s.data() + (size_t)t * T, t + 1, T, scale);
                gemm(n, hs, i1, p + (size_t)i0 * T, T, v, C3, o + (size_t)i0 * C, C, false);  // O = P V
            }
        }
    });
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B,
                        int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_ranges(B * NH, region_threads(), [&](long bh0, long bh1) {
        std::vector<float> dp((size_t)T * T);
        for (int bh = (int)bh0; bh < (int)bh1; bh++) {
            int b = bh / NH, h = bh % NH;
            const float* q = qkv + (size_t)b * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            const float* p = att + (size_t)bh * T * T;
            const float* dO = dout + (size_t)b * T * C + h * hs;
            float* dq = dqkv + (size_t)b * T * C3 + h * hs;
            float* dk = dq + C;
            float* dv = dq + 2 * C;
            for (int i0 = 0; i0 < T; i0 += kRows) {  // queries i0..i1-1: keys 0..i1-1
                const int i1 = std::min(T, i0 + kRows), n = i1 - i0;
                // dP = dO . V^T
                gemm_t(n, i1, hs, dO + (size_t)i0 * C, C, false, v, C3, true, dp.data() + (size_t)i0 * T, T, false);
                // dS = P * (dP - <P, dP>) * scale over the valid prefix; zero above the diagonal.
                for (int t = i0; t < i1; t++) {
                    const float* pr = p + (size_t)t * T;
                    float* d = dp.data() + (size_t)t * T;
                    score_grad_row(d, pr, t + 1, T, dot_any(pr, d, t + 1), scale);
                }
                gemm(n, hs, i1, dp.data() + (size_t)i0 * T, T, k, C3, dq + (size_t)i0 * C3, C3, false);  // dQ = dS . K
            }
            for (int j0 = 0; j0 < T; j0 += kRows) {  // keys j0..j1-1: queries j0..T-1
                const int j1 = std::min(T, j0 + kRows), n = j1 - j0;
                const size_t first = (size_t)j0 * T + j0;  // row j0 (the first query that sees key j0), column j0
                gemm_t(n, hs, T - j0, dp.data() + first, T, true, q + (size_t)j0 * C3, C3, false, dk + (size_t)j0 * C3, C3,
                       false);  // dK = dS^T . Q
                gemm_t(n, hs, T - j0, p + first, T, true, dO + (size_t)j0 * C, C, false, dv + (size_t)j0 * C3, C3,
                       false);  // dV = P^T . dO
            }
        }
    });
}

}  // namespace wg::kernels
