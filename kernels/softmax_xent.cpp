// Softmax + cross-entropy over rows of logits, optionally turning the logits into their gradient in
// place (the logits are the largest activation; no second buffer is needed).
// Per row: max (exact in any order), e = exp(z - max), s = canonical sum of e, p = e / s,
// loss = log(s) - (z[t] - max).
#include <vector>

#include "kernels/reduce.h"
#include "kernels/parallel.h"

namespace wg::kernels {

using namespace detail;

namespace {

#if WG_HAVE_SIMD
WG_AVX2 int grad_avx2(float* z, const float* e, int V, float s, float dscale) {
    int j = 0;
    const __m256 vs = _mm256_set1_ps(s), vd = _mm256_set1_ps(dscale);
    for (; j + 8 <= V; j += 8) _mm256_storeu_ps(z + j, _mm256_mul_ps(_mm256_div_ps(_mm256_loadu_ps(e + j), vs), vd));
    return j;
}
// The same on sixteen lanes, the last partial vector under a mask.
WG_AVX512 int grad_avx512(float* z, const float* e, int V, float s, float dscale) {
    const __m512 vs = _mm512_set1_ps(s), vd = _mm512_set1_ps(dscale);
    for (int j = 0; j < V; j += 16) {
        const __mmask16 k = first_lanes(V - j);
        store16(z + j, k, _mm512_mul_ps(_mm512_div_ps(load16(e + j, k), vs), vd));
    }
    return V;
}
#endif

}  // namespace

void softmax_xent(float* logits, float* losses, const int* targets, int M, int V, float dscale, bool grad) {
    parallel_ranges(M, region_threads(), [&](long m0, long m1) {
        std::vector<float> e(V);
        for (int m = (int)m0; m < (int)m1; m++) {
            float* z = logits + (size_t)m * V;
            int t = targets[m];
            if (t < 0) {
                losses[m] = 0.0f;
                if (grad)
                    for (int i = 0; i < V; i++) z[i] = 0.0f;
                continue;
            }
            float mx = max_any(z, V);
            exp_shifted_any(e.data(), z, V, mx);
            float s = sum_any(e.data(), V);
            losses[m] = log_s(s) - (z[t] - mx);
            if (grad) {
                int i = 0;
#if WG_HAVE_SIMD
                if (const SimdLevel level = active_simd(); level >= kAvx512) i = grad_avx512(z, e.data(), V, s, dscale);
                else if (level >= kAvx2) i = grad_avx2(z, e.data(), V, s, dscale);
#endif
                for (; i < V; i++) z[i] = (e[i] / s) * dscale;
                z[t] = ((e[t] / s) - 1.0f) * dscale;
            }
        }
    });
}

}  // namespace wg::kernels
