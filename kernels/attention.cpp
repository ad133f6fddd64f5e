// Causal multi-head self-attention, forward and backward, one (batch, head) pair at a time; the
// pairs are independent, so threads split them. Inside a pair every product is a gemm (canonical
// chains) and every row reduction the canonical striped sum, so SIMD == scalar bits.
#include <cmath>
#include <vector>

#include "kernels/reduce.h"

namespace wg::kernels {

using namespace detail;

namespace {

// p[0..n) = softmax(z[0..n) * scale); p[n..T) = 0.
void softmax_row(float* p, const float* z, int n, int T, float scale) {
    float mx = z[0] * scale;
    for (int i = 0; i < n; i++) {
        p[i] = z[i] * scale;
        mx = p[i] > mx ? p[i] : mx;
    }
    for (int i = 0; i < n; i++) p[i] = p[i] - mx;
    exp_array(p, p, n);
    float s = sum_any(p, n);
    for (int i = 0; i < n; i++) p[i] = p[i] / s;
    for (int i = n; i < T; i++) p[i] = 0.0f;
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
    const int nthreads = region_threads();
#pragma omp parallel num_threads(nthreads) if (nthreads > 1 && B * NH > 1)
    {
        std::vector<float> s((size_t)T * T);
#pragma omp for schedule(static)
        for (int bh = 0; bh < B * NH; bh++) {
            int b = bh / NH, h = bh % NH;
            const float* q = qkv + (size_t)b * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* p = att + (size_t)bh * T * T;
            gemm_t(T, T, hs, q, C3, false, k, C3, true, s.data(), T, false);  // S = Q K^T
            for (int t = 0; t < T; t++) softmax_row(p + (size_t)t * T, s.data() + (size_t)t * T, t + 1, T, scale);
            gemm(T, hs, T, p, T, v, C3, out + (size_t)b * T * C + h * hs, C, false);
        }
    }
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B,
                        int T, int C, int NH) {
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    const int nthreads = region_threads();
#pragma omp parallel num_threads(nthreads) if (nthreads > 1 && B * NH > 1)
    {
        std::vector<float> dp((size_t)T * T);
#pragma omp for schedule(static)
        for (int bh = 0; bh < B * NH; bh++) {
            int b = bh / NH, h = bh % NH;
            const float* q = qkv + (size_t)b * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            const float* p = att + (size_t)bh * T * T;
            const float* dO = dout + (size_t)b * T * C + h * hs;
            float* dq = dqkv + (size_t)b * T * C3 + h * hs;
            float* dk = dq + C;
            float* dv = dq + 2 * C;
            // dP = dO . V^T
            gemm_t(T, T, hs, dO, C, false, v, C3, true, dp.data(), T, false);
            // dS = P * (dP - <P, dP>) * scale over the valid prefix; zero above the diagonal.
            for (int t = 0; t < T; t++) {
                const float* pr = p + (size_t)t * T;
                float* d = dp.data() + (size_t)t * T;
                float pd = dot_any(pr, d, t + 1);
                for (int i = 0; i <= t; i++) d[i] = (pr[i] * (d[i] - pd)) * scale;
                for (int i = t + 1; i < T; i++) d[i] = 0.0f;
            }
            gemm(T, hs, T, dp.data(), T, k, C3, dq, C3, false);        // dQ = dS . K
            gemm_t(T, hs, T, dp.data(), T, true, q, C3, false, dk, C3, false);  // dK = dS^T . Q
            gemm_t(T, hs, T, p, T, true, dO, C, false, dv, C3, false);          // dV = P^T . dO
        }
    }
}

}  // namespace wg::kernels
