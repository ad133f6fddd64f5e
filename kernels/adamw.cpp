// AdamW with decoupled weight decay (Loshchilov & Hutter), elementwise:
//   g' = g * gscale; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2;
//   p = p - lr * ((m / bc1) / (sqrt(v / bc2) + eps) + wd * p)
// The same operations in the same order in both versions (sqrt and division are exact in IEEE 754).
#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace wg::kernels {

using namespace detail;

namespace {
inline void adamw_s(float& p, float g, float& m, float& v, float lr, float b1, float b2, float eps,
                    float wd, float bc1, float bc2, float gscale) {
    g = g * gscale;
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * (g * g);
    float mhat = m / bc1, vhat = v / bc2;
    p = p - lr * (mhat / (std::sqrt(vhat) + eps) + wd * p);
}

#if WG_HAVE_SIMD
WG_AVX2 size_t adamw_avx2(float* p, const float* g, float* m, float* v, size_t n, float lr, float b1,
                          float b2, float eps, float wd, float bc1, float bc2, float gscale) {
    const __m256 vlr = _mm256_set1_ps(lr), vb1 = _mm256_set1_ps(b1), vb2 = _mm256_set1_ps(b2),
                 v1b1 = _mm256_set1_ps(1.0f - b1), v1b2 = _mm256_set1_ps(1.0f - b2),
                 veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd), vbc1 = _mm256_set1_ps(bc1),
                 vbc2 = _mm256_set1_ps(bc2), vgs = _mm256_set1_ps(gscale);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_mul_ps(_mm256_loadu_ps(g + i), vgs);
        __m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(v1b1, gi));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)),
                                  _mm256_mul_ps(v1b2, _mm256_mul_ps(gi, gi)));
        __m256 pi = _mm256_loadu_ps(p + i);
        __m256 upd = _mm256_add_ps(
            _mm256_div_ps(_mm256_div_ps(mi, vbc1), _mm256_add_ps(_mm256_sqrt_ps(_mm256_div_ps(vi, vbc2)), veps)),
            _mm256_mul_ps(vwd, pi));
        _mm256_storeu_ps(p + i, _mm256_sub_ps(pi, _mm256_mul_ps(vlr, upd)));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
    }
    return i;
}
#endif
}  // namespace

void adamw(float* p, const float* g, float* m, float* v, size_t n, float lr, float beta1, float beta2,
           float eps, float weight_decay, float bc1, float bc2, float gscale) {
    const size_t chunk = 1 << 14;
    parallel_ranges((long)((n + chunk - 1) / chunk), region_threads(), [&](long c0, long c1) {
        const size_t lo = (size_t)c0 * chunk, len = std::min((size_t)(c1 - c0) * chunk, n - lo);
        size_t i = 0;
#if WG_HAVE_SIMD
        if (active_simd() >= kAvx2)
            i = adamw_avx2(p + lo, g + lo, m + lo, v + lo, len, lr, beta1, beta2, eps, weight_decay, bc1,
                           bc2, gscale);
#endif
        for (; i < len; i++)
            adamw_s(p[lo + i], g[lo + i], m[lo + i], v[lo + i], lr, beta1, beta2, eps, weight_decay,
                    bc1, bc2, gscale);
    });
}

}  // namespace wg::kernels
