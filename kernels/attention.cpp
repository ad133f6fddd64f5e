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
// The same three steps on sixteen lanes, the last partial vector under a mask: each covers all n.
WG_AVX512 int scale_avx512(float* p, const float* z, int n, float scale) {
    const __m512 vs = _mm512_set1_ps(scale);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = first_lanes(n - i);
        store16(p + i, k, _mm512_mul_ps(load16(z + i, k), vs));
    }
    return n;
}
WG_AVX512 int div_avx512(float* p, int n, float s) {
    const __m512 d = _mm512_set1_ps(s);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = first_lanes(n - i);
        store16(p + i, k, _mm512_div_ps(load16(p + i, k), d));
    }
    return n;
}
WG_AVX512 int score_grad_avx512(float* d, const float* pr, int n, float pd, float scale) {
    const __m512 vpd = _mm512_set1_ps(pd), vs = _mm512_set1_ps(scale);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = first_lanes(n - i);
        const __m512 g = _mm512_sub_ps(load16(d + i, k), vpd);
        store16(d + i, k, _mm512_mul_ps(_mm512_mul_ps(load16(pr + i, k), g), vs));
    }
    return n;
}
#endif

// p[0..n) = softmax(z[0..n) * scale); p[n..T) = 0.
void softmax_row(float* p, const float* z, int n, int T, float scale) {
#if WG_HAVE_SIMD
    const SimdLevel level = active_simd();
#endif
    int i = 0;
#if WG_HAVE_SIMD
    if (level >= kAvx512) i = scale_avx512(p, z, n, scale);
    else if (level >= kAvx2) i = scale_avx2(p, z, n, scale);
#endif
    for (; i < n; i++) p[i] = z[i] * scale;
    exp_shifted_any(p, p, n, max_any(p, n));
    float s = sum_any(p, n);
    i = 0;
#if WG_HAVE_SIMD
    if (level >= kAvx512) i = div_avx512(p, n, s);
    else if (level >= kAvx2) i = div_avx2(p, n, s);
#endif
    for (; i < n; i++) p[i] = p[i] / s;
    std::fill(p + n, p + T, 0.0f);
}

// d[0..n) = (pr * (d - pd)) * scale; d[n..T) = 0: the score gradients of one query row.
void score_grad_row(float* d, const float* pr, int n, int T, float pd, float scale) {
    int i = 0;
#if WG_HAVE_SIMD
    if (const SimdLevel level = active_simd(); level >= kAvx512) i = score_grad_avx512(d, pr, n, pd, scale);
    else if (level >= kAvx2) i = score_grad_avx2(d, pr, n, pd, scale);
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

// The products read their B operand in place (gemm packs B only for many rows of A), so each head's
// operands are first laid out for them: K^T, V^T, Q^T and dO^T as hs x T, K and V as T x hs, rows
// contiguous. Rows of T floats are padded to T + 16 (kPad): rows 512 B or 1 KiB apart fell into a
// quarter or less of L1's sets, and each tile of a product fetched its panel again from L2. Copies and
// transposes move values exactly, so no chain changes.
constexpr int kPad = 16;

// dst (rows x cols, ldd) = src (rows x cols, lds).
void copy_rows(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
    for (int r = 0; r < rows; r++) std::copy(src + (size_t)r * lds, src + (size_t)r * lds + cols, dst + (size_t)r * ldd);
}

// Asks for n floats from p on to be brought into L2. The backward pass fetches the next head's P while
// this head computes: P was written in the forward pass and is cold by now, and the dots that first
// read it waited on memory (2.2 -> 0.7 ms of a preset-a training step). Fetching the next head's Q, K,
// V and dO too made their transposes no faster.
void prefetch_l2(const float* p, size_t n) {
#if WG_HAVE_SIMD
    for (size_t i = 0; i < n; i += 16) _mm_prefetch((const char*)(p + i), _MM_HINT_T1);
#else
    (void)p, (void)n;
#endif
}

void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C, ldT = T + kPad;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_ranges(B * NH, region_threads(), [&](long bh0, long bh1) {
        thread_local std::vector<float> scratch;
        grow(scratch, (size_t)T * ldT + (size_t)hs * ldT + (size_t)T * hs);
        float* s = scratch.data();
        float* kt = s + (size_t)T * ldT;
        float* vc = kt + (size_t)hs * ldT;
        for (int bh = (int)bh0; bh < (int)bh1; bh++) {
            int b = bh / NH, h = bh % NH;
            const float* q = qkv + (size_t)b * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* p = att + (size_t)bh * T * T;
            float* o = out + (size_t)b * T * C + h * hs;
            transpose(T, hs, k, C3, kt, ldT);
            copy_rows(T, hs, v, C3, vc, hs);
            for (int i0 = 0; i0 < T; i0 += kRows) {  // queries i0..i1-1 see keys 0..i1-1
                const int i1 = std::min(T, i0 + kRows), n = i1 - i0;
                gemm(n, i1, hs, q + (size_t)i0 * C3, C3, kt, ldT, s + (size_t)i0 * ldT, ldT, false);  // S = Q K^T
                for (int t = i0; t < i1; t++) softmax_row(p + (size_t)t * T, s + (size_t)t * ldT, t + 1, T, scale);
                gemm(n, hs, i1, p + (size_t)i0 * T, T, vc, hs, o + (size_t)i0 * C, C, false);  // O = P V
            }
        }
    });
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B,
                        int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C, ldT = T + kPad, ldB = kRows + kPad;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_ranges(B * NH, region_threads(), [&](long bh0, long bh1) {
        thread_local std::vector<float> scratch;
        grow(scratch, (size_t)T * ldT + 3 * (size_t)hs * ldT + (size_t)T * hs + (size_t)T * ldB + (size_t)hs * kRows);
        float* dp = scratch.data();
        float* vt = dp + (size_t)T * ldT;
        float* qt = vt + (size_t)hs * ldT;
        float* dOt = qt + (size_t)hs * ldT;
        float* kc = dOt + (size_t)hs * ldT;
        float* pb = kc + (size_t)T * hs;
        float* grad_t = pb + (size_t)T * ldB;
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
            if (bh + 1 < bh1) prefetch_l2(att + (size_t)(bh + 1) * T * T, (size_t)T * T);
            transpose(T, hs, v, C3, vt, ldT);
            copy_rows(T, hs, k, C3, kc, hs);
            for (int i0 = 0; i0 < T; i0 += kRows) {  // queries i0..i1-1: keys 0..i1-1
                const int i1 = std::min(T, i0 + kRows), n = i1 - i0;
                gemm(n, i1, hs, dO + (size_t)i0 * C, C, vt, ldT, dp + (size_t)i0 * ldT, ldT, false);  // dP = dO V^T
                // dS = P * (dP - <P, dP>) * scale over the valid prefix; zero above the diagonal. The dots
                // of four rows at a time.
                for (int t0 = i0; t0 < i1; t0 += 4) {
                    const int rows = std::min(4, i1 - t0);
                    const float* pr[4];
                    const float* d[4];
                    int len[4];
                    float pd[4];
                    for (int r = 0; r < 4; r++) {
                        const int t = t0 + std::min(r, rows - 1);  // past the block's end: its last row again
                        pr[r] = p + (size_t)t * T;
                        d[r] = dp + (size_t)t * ldT;
                        len[r] = t + 1;
                    }
                    dot4_any(pr, d, len, pd);
                    for (int r = 0; r < rows; r++) score_grad_row(dp + (size_t)(t0 + r) * ldT, pr[r], t0 + r + 1, T, pd[r], scale);
                }
                gemm(n, hs, i1, dp + (size_t)i0 * ldT, ldT, kc, hs, dq + (size_t)i0 * C3, C3, false);  // dQ = dS K
            }
            // dK and dV are computed transposed, dK^T = Q^T dS and dV^T = dO^T P: each output is the same
            // chain over the queries, but no operand needs a transposing pack for every block of keys.
            transpose(T, hs, q, C3, qt, ldT);
            transpose(T, hs, dO, C, dOt, ldT);
            for (int j0 = 0; j0 < T; j0 += kRows) {  // keys j0..j1-1: queries j0..T-1
                const int j1 = std::min(T, j0 + kRows), n = j1 - j0;
                gemm(hs, n, T - j0, qt + j0, ldT, dp + (size_t)j0 * ldT + j0, ldT, grad_t, kRows, false);
                transpose(hs, n, grad_t, kRows, dk + (size_t)j0 * C3, C3);
                copy_rows(T - j0, n, p + (size_t)j0 * T + j0, T, pb, ldB);  // P's block, padded as dS is
                gemm(hs, n, T - j0, dOt + j0, ldT, pb, ldB, grad_t, kRows, false);
                transpose(hs, n, grad_t, kRows, dv + (size_t)j0 * C3, C3);
            }
        }
    });
}

}  // namespace wg::kernels
