// GELU (tanh form), forward and backward, elementwise with the kit's own tanh.
#include <algorithm>

#include "kernels/kmath.h"
#include "kernels/parallel.h"

namespace wg::kernels {

using namespace detail;

namespace {
constexpr float kS = 0.7978845608028654f;  // sqrt(2/pi)
constexpr float kA = 0.044715f;

inline float gelu_s(float x) {
    float u = kS * (x + kA * (x * x * x));
    return 0.5f * x * (1.0f + tanh_s(u));
}
inline float dgelu_s(float x, float dy) {
    float x2 = x * x;
    float u = kS * (x + kA * (x2 * x));
    float t = tanh_s(u);
    float du = kS * (1.0f + 3.0f * kA * x2);
    float d = 0.5f * (1.0f + t) + (0.5f * x) * ((1.0f - t * t) * du);
    return d * dy;
}

#if WG_HAVE_SIMD
WG_AVX2 size_t gelu_avx2(float* out, const float* in, size_t n) {
    const __m256 s = _mm256_set1_ps(kS), a = _mm256_set1_ps(kA), half = _mm256_set1_ps(0.5f),
                 one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(in + i);
        __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
        __m256 u = _mm256_mul_ps(s, _mm256_add_ps(x, _mm256_mul_ps(a, x3)));
        __m256 y = _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, tanh_v8(u)));
        _mm256_storeu_ps(out + i, y);
    }
    return i;
}

WG_AVX2 size_t dgelu_avx2(float* dinp, const float* in, const float* dout, size_t n) {
    const __m256 s = _mm256_set1_ps(kS), a = _mm256_set1_ps(kA), half = _mm256_set1_ps(0.5f),
                 one = _mm256_set1_ps(1.0f), three_a = _mm256_set1_ps(3.0f * kA);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(in + i);
        __m256 x2 = _mm256_mul_ps(x, x);
        __m256 u = _mm256_mul_ps(s, _mm256_add_ps(x, _mm256_mul_ps(a, _mm256_mul_ps(x2, x))));
        __m256 t = tanh_v8(u);
        __m256 du = _mm256_mul_ps(s, _mm256_add_ps(one, _mm256_mul_ps(three_a, x2)));
        __m256 d = _mm256_add_ps(_mm256_mul_ps(half, _mm256_add_ps(one, t)),
                                 _mm256_mul_ps(_mm256_mul_ps(half, x),
                                               _mm256_mul_ps(_mm256_sub_ps(one, _mm256_mul_ps(t, t)), du)));
        _mm256_storeu_ps(dinp + i, _mm256_mul_ps(d, _mm256_loadu_ps(dout + i)));
    }
    return i;
}

// The same steps on 16 lanes.
WG_AVX512 size_t gelu_avx512(float* out, const float* in, size_t n) {
    const __m512 s = _mm512_set1_ps(kS), a = _mm512_set1_ps(kA), half = _mm512_set1_ps(0.5f),
                 one = _mm512_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 x = _mm512_loadu_ps(in + i);
        __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
        __m512 u = _mm512_mul_ps(s, _mm512_add_ps(x, _mm512_mul_ps(a, x3)));
        __m512 y = _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, tanh_v16(u)));
        _mm512_storeu_ps(out + i, y);
    }
    return i;
}

WG_AVX512 size_t dgelu_avx512(float* dinp, const float* in, const float* dout, size_t n) {
    const __m512 s = _mm512_set1_ps(kS), a = _mm512_set1_ps(kA), half = _mm512_set1_ps(0.5f),
                 one = _mm512_set1_ps(1.0f), three_a = _mm512_set1_ps(3.0f * kA);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 x = _mm512_loadu_ps(in + i);
        __m512 x2 = _mm512_mul_ps(x, x);
        __m512 u = _mm512_mul_ps(s, _mm512_add_ps(x, _mm512_mul_ps(a, _mm512_mul_ps(x2, x))));
        __m512 t = tanh_v16(u);
        __m512 du = _mm512_mul_ps(s, _mm512_add_ps(one, _mm512_mul_ps(three_a, x2)));
        __m512 d = _mm512_add_ps(_mm512_mul_ps(half, _mm512_add_ps(one, t)),
                                 _mm512_mul_ps(_mm512_mul_ps(half, x),
                                               _mm512_mul_ps(_mm512_sub_ps(one, _mm512_mul_ps(t, t)), du)));
        _mm512_storeu_ps(dinp + i, _mm512_mul_ps(d, _mm512_loadu_ps(dout + i)));
    }
    return i;
}
#endif
}  // namespace

void gelu_forward(float* out, const float* inp, size_t n) {
    const size_t chunk = 4096;
    parallel_ranges((long)((n + chunk - 1) / chunk), region_threads(), [&](long c0, long c1) {
        const size_t lo = (size_t)c0 * chunk, len = std::min((size_t)(c1 - c0) * chunk, n - lo);
        size_t i = 0;
#if WG_HAVE_SIMD
        const SimdLevel level = active_simd();
        if (level >= kAvx512) i = gelu_avx512(out + lo, inp + lo, len);
        if (level >= kAvx2) i += gelu_avx2(out + lo + i, inp + lo + i, len - i);
#endif
        for (; i < len; i++) out[lo + i] = gelu_s(inp[lo + i]);
    });
}

void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n) {
    const size_t chunk = 4096;
    parallel_ranges((long)((n + chunk - 1) / chunk), region_threads(), [&](long c0, long c1) {
        const size_t lo = (size_t)c0 * chunk, len = std::min((size_t)(c1 - c0) * chunk, n - lo);
        size_t i = 0;
#if WG_HAVE_SIMD
        const SimdLevel level = active_simd();
        if (level >= kAvx512) i = dgelu_avx512(dinp + lo, inp + lo, dout + lo, len);
        if (level >= kAvx2) i += dgelu_avx2(dinp + lo + i, inp + lo + i, dout + lo + i, len - i);
#endif
        for (; i < len; i++) dinp[lo + i] = dgelu_s(inp[lo + i], dout[lo + i]);
    });
}

}  // namespace wg::kernels
