// GELU (tanh form), forward and backward, elementwise with the kit's own tanh.
#include <algorithm>

#include "kernels/kmath.h"

namespace wg::kernels {

using namespace detail;

namespace {
constexpr float kS = 0.7978845608028654f;  // sqrt(2/pi)
constexpr float kA = 0.044715f;

inline float tanh_of_u(float x) { return tanh_s(kS * (x + kA * (x * x * x))); }
inline float gelu_s(float x, float t) { return 0.5f * x * (1.0f + t); }
inline float dgelu_s(float x, float t, float dy) {
    float x2 = x * x;
    float du = kS * (1.0f + 3.0f * kA * x2);
    float d = 0.5f * (1.0f + t) + (0.5f * x) * ((1.0f - t * t) * du);
    return d * dy;
}

#if WG_HAVE_SIMD
WG_AVX2 inline __m256 tanh_of_u_v8(__m256 x) {
    const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
    return tanh_v8(_mm256_mul_ps(_mm256_set1_ps(kS), _mm256_add_ps(x, _mm256_mul_ps(_mm256_set1_ps(kA), x3))));
}

WG_AVX2 size_t gelu_avx2(float* out, const float* in, size_t n, float* tanh_out) {
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(in + i);
        __m256 t = tanh_of_u_v8(x);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, t)));
        if (tanh_out) _mm256_storeu_ps(tanh_out + i, t);
    }
    return i;
}

WG_AVX2 size_t dgelu_avx2(float* dinp, const float* in, const float* dout, size_t n, const float* tanh_in) {
    const __m256 s = _mm256_set1_ps(kS), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f),
                 three_a = _mm256_set1_ps(3.0f * kA);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(in + i);
        __m256 x2 = _mm256_mul_ps(x, x);
        __m256 t = tanh_in ? _mm256_loadu_ps(tanh_in + i) : tanh_of_u_v8(x);
        __m256 du = _mm256_mul_ps(s, _mm256_add_ps(one, _mm256_mul_ps(three_a, x2)));
        __m256 d = _mm256_add_ps(_mm256_mul_ps(half, _mm256_add_ps(one, t)),
                                 _mm256_mul_ps(_mm256_mul_ps(half, x),
                                               _mm256_mul_ps(_mm256_sub_ps(one, _mm256_mul_ps(t, t)), du)));
        _mm256_storeu_ps(dinp + i, _mm256_mul_ps(d, _mm256_loadu_ps(dout + i)));
    }
    return i;
}
#endif
}  // namespace

void gelu_forward(float* out, const float* inp, size_t n, float* tanh_out) {
    const int nthreads = region_threads();
    const size_t chunk = 4096;
    const long nchunks = (long)((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static) num_threads(nthreads) if (nthreads > 1 && nchunks > 1)
    for (long c = 0; c < nchunks; c++) {
        size_t lo = (size_t)c * chunk, len = std::min(chunk, n - lo), i = 0;
#if WG_HAVE_SIMD
        if (active_simd() >= kAvx2) i = gelu_avx2(out + lo, inp + lo, len, tanh_out ? tanh_out + lo : nullptr);
#endif
        for (; i < len; i++) {
            const float t = tanh_of_u(inp[lo + i]);
            out[lo + i] = gelu_s(inp[lo + i], t);
            if (tanh_out) tanh_out[lo + i] = t;
        }
    }
}

void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n, const float* tanh_in) {
    const int nthreads = region_threads();
    const size_t chunk = 4096;
    const long nchunks = (long)((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static) num_threads(nthreads) if (nthreads > 1 && nchunks > 1)
    for (long c = 0; c < nchunks; c++) {
        size_t lo = (size_t)c * chunk, len = std::min(chunk, n - lo), i = 0;
#if WG_HAVE_SIMD
        if (active_simd() >= kAvx2) i = dgelu_avx2(dinp + lo, inp + lo, dout + lo, len, tanh_in ? tanh_in + lo : nullptr);
#endif
        for (; i < len; i++) {
            const float x = inp[lo + i];
            dinp[lo + i] = dgelu_s(x, tanh_in ? tanh_in[lo + i] : tanh_of_u(x), dout[lo + i]);
        }
    }
}

}  // namespace wg::kernels
