// LayerNorm forward and backward. Per row, the two sums (mean, variance; and in the backward pass
// the two projections) use the canonical striped sum; everything else is elementwise, so the SIMD
// and scalar versions differ only in how many lanes do the same operations.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/reduce.h"

namespace wg::kernels {

using namespace detail;

namespace {
constexpr float kEps = 1e-5f;

void ln_row_forward(float* y, float* mean_out, float* rstd_out, const float* x, const float* w,
                    const float* b, int C, float* scratch) {
    float mean = sum_any(x, C) / (float)C;
    for (int c = 0; c < C; c++) scratch[c] = x[c] - mean;
    float var = dot_any(scratch, scratch, C) / (float)C;
    float rstd = 1.0f / std::sqrt(var + kEps);  // sqrt is correctly rounded in IEEE 754
    for (int c = 0; c < C; c++) y[c] = (scratch[c] * rstd) * w[c] + b[c];
    *mean_out = mean;
    *rstd_out = rstd;
}
}  // namespace

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w,
                       const float* b, int M, int C) {
    const int nthreads = region_threads();
#pragma omp parallel num_threads(nthreads) if (nthreads > 1 && M > 1)
    {
        std::vector<float> scratch(C);
#pragma omp for schedule(static)
        for (int m = 0; m < M; m++)
            ln_row_forward(out + (size_t)m * C, mean + m, rstd + m, inp + (size_t)m * C, w, b, C,
                           scratch.data());
    }
}

void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                        const float* w, const float* mean, const float* rstd, int M, int C) {
    const int nthreads = region_threads();
    // Input gradient: rows are independent.
#pragma omp parallel num_threads(nthreads) if (nthreads > 1 && M > 1)
    {
        std::vector<float> xhat(C), dxhat(C);
#pragma omp for schedule(static)
        for (int m = 0; m < M; m++) {
            const float* x = inp + (size_t)m * C;
            const float* dy = dout + (size_t)m * C;
            float* dx = dinp + (size_t)m * C;
            for (int c = 0; c < C; c++) {
                xhat[c] = (x[c] - mean[m]) * rstd[m];
                dxhat[c] = dy[c] * w[c];
            }
            float s1 = sum_any(dxhat.data(), C) / (float)C;
            float s2 = dot_any(dxhat.data(), xhat.data(), C) / (float)C;
            for (int c = 0; c < C; c++) dx[c] = dx[c] + rstd[m] * ((dxhat[c] - s1) - xhat[c] * s2);
        }
    }
    // Parameter gradients: per column, a chain over the rows in order. Rows outer and columns inner,
    // so memory is read along rows; threads split the columns.
    if (!dw && !db) return;
#pragma omp parallel for schedule(static) num_threads(nthreads) if (nthreads > 1 && C >= 128)
    for (int c0 = 0; c0 < C; c0 += 64) {
        const int n = std::min(64, C - c0);
        float aw[64] = {0}, ab[64] = {0};
        for (int m = 0; m < M; m++) {
            const float* dy = dout + (size_t)m * C + c0;
            const float* x = inp + (size_t)m * C + c0;
            for (int c = 0; c < n; c++) {
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
}

}  // namespace wg::kernels
