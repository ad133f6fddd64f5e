// LayerNorm forward and backward. Per row, the two sums (mean, variance; and in the backward pass
// the two projections) use the canonical striped sum; everything else is elementwise, so the SIMD
// and scalar versions differ only in how many lanes do the same operations.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/reduce.h"
#include "kernels/parallel.h"

namespace wg::kernels {

using namespace detail;

namespace {
constexpr float kEps = 1e-5f;

#if WG_HAVE_SIMD
// The elementwise steps of a row, eight columns at a time from c = 0; each returns where it stopped.
WG_AVX2 int scale_shift_avx2(float* y, const float* d, const float* w, const float* b, int C, float rstd) {
    int c = 0;
    for (const __m256 r = _mm256_set1_ps(rstd); c + 8 <= C; c += 8)
        _mm256_storeu_ps(y + c, _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(d + c), r), _mm256_loadu_ps(w + c)),
                                              _mm256_loadu_ps(b + c)));
    return c;
}
// xhat = (x - mean) * rstd and dxhat = dy * w.
WG_AVX2 int xhat_avx2(float* xhat, float* dxhat, const float* x, const float* dy, const float* w, int C, float mean, float rstd) {
    int c = 0;
    const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
    for (; c + 8 <= C; c += 8) {
        _mm256_storeu_ps(xhat + c, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + c), m), r));
        _mm256_storeu_ps(dxhat + c, _mm256_mul_ps(_mm256_loadu_ps(dy + c), _mm256_loadu_ps(w + c)));
    }
    return c;
}
// dx = dx + rstd * ((dxhat - s1) - xhat * s2).
WG_AVX2 int dx_avx2(float* dx, const float* xhat, const float* dxhat, int C, float rstd, float s1, float s2) {
    int c = 0;
    const __m256 r = _mm256_set1_ps(rstd), v1 = _mm256_set1_ps(s1), v2 = _mm256_set1_ps(s2);
    for (; c + 8 <= C; c += 8) {
        __m256 t = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(dxhat + c), v1), _mm256_mul_ps(_mm256_loadu_ps(xhat + c), v2));
        _mm256_storeu_ps(dx + c, _mm256_add_ps(_mm256_loadu_ps(dx + c), _mm256_mul_ps(r, t)));
    }
    return c;
}
// One row's share of the parameter gradients: aw += dy * ((x - mean) * rstd), ab += dy.
WG_AVX2 int param_row_avx2(float* aw, float* ab, const float* dy, const float* x, int n, float mean, float rstd) {
    int c = 0;
    const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
    for (; c + 8 <= n; c += 8) {
        __m256 d = _mm256_loadu_ps(dy + c), xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + c), m), r);
        _mm256_storeu_ps(aw + c, _mm256_add_ps(_mm256_loadu_ps(aw + c), _mm256_mul_ps(d, xh)));
        _mm256_storeu_ps(ab + c, _mm256_add_ps(_mm256_loadu_ps(ab + c), d));
    }
    return c;
}
#endif

void ln_row_forward(float* y, float* mean_out, float* rstd_out, const float* x, const float* w,
                    const float* b, int C, float* scratch) {
    float mean = sum_any(x, C) / (float)C;
    sub_any(scratch, x, C, mean);
    float var = dot_any(scratch, scratch, C) / (float)C;
    float rstd = 1.0f / std::sqrt(var + kEps);  // sqrt is correctly rounded in IEEE 754
    int c = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) c = scale_shift_avx2(y, scratch, w, b, C, rstd);
#endif
    for (; c < C; c++) y[c] = (scratch[c] * rstd) * w[c] + b[c];
    *mean_out = mean;
    *rstd_out = rstd;
}
}  // namespace

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w,
                       const float* b, int M, int C) {
    parallel_ranges(M, region_threads(), [&](long m0, long m1) {
        std::vector<float> scratch(C);
        for (int m = (int)m0; m < (int)m1; m++)
            ln_row_forward(out + (size_t)m * C, mean + m, rstd + m, inp + (size_t)m * C, w, b, C,
                           scratch.data());
    });
}

void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                        const float* w, const float* mean, const float* rstd, int M, int C) {
    const int nthreads = region_threads();
    // Input gradient: rows are independent.
    parallel_ranges(M, nthreads, [&](long m0, long m1) {
        std::vector<float> xhat(C), dxhat(C);
        for (int m = (int)m0; m < (int)m1; m++) {
            const float* x = inp + (size_t)m * C;
            const float* dy = dout + (size_t)m * C;
            float* dx = dinp + (size_t)m * C;
            int c = 0;
#if WG_HAVE_SIMD
            if (active_simd() >= kAvx2) c = xhat_avx2(xhat.data(), dxhat.data(), x, dy, w, C, mean[m], rstd[m]);
#endif
            for (; c < C; c++) {
                xhat[c] = (x[c] - mean[m]) * rstd[m];
                dxhat[c] = dy[c] * w[c];
            }
            float s1 = sum_any(dxhat.data(), C) / (float)C;
            float s2 = dot_any(dxhat.data(), xhat.data(), C) / (float)C;
            c = 0;
#if WG_HAVE_SIMD
            if (active_simd() >= kAvx2) c = dx_avx2(dx, xhat.data(), dxhat.data(), C, rstd[m], s1, s2);
#endif
            for (; c < C; c++) dx[c] = dx[c] + rstd[m] * ((dxhat[c] - s1) - xhat[c] * s2);
        }
    });
    // Parameter gradients: per column, a chain over the rows in order. Rows outer and columns inner,
    // so memory is read along rows; threads split the columns.
    if (!dw && !db) return;
    parallel_ranges((C + 63) / 64, C >= 128 ? nthreads : 1, [&](long k0, long k1) {
        for (int c0 = 64 * (int)k0; c0 < C && c0 < 64 * k1; c0 += 64) {
            const int n = std::min(64, C - c0);
            float aw[64] = {0}, ab[64] = {0};
            for (int m = 0; m < M; m++) {
                const float* dy = dout + (size_t)m * C + c0;
                const float* x = inp + (size_t)m * C + c0;
                int c = 0;
#if WG_HAVE_SIMD
                if (active_simd() >= kAvx2) c = param_row_avx2(aw, ab, dy, x, n, mean[m], rstd[m]);
#endif
                for (; c < n; c++) {
                    float xh = (x[c] - mean[m]) * rstd[m];
                    aw[c] = aw[c] + dy[c] * xh;
                    ab[c] = ab[c] + dy[c];
                }
            }
            for (int c = 0; c < n; c++) {
                if (dw) dw[c0 + c] = dw[c0 + c] + aw[c];
                if (db) db[c0 + c] = db[c0 + c] + ab[c];
            }
        }
    });
}

}  // namespace wg::kernels
