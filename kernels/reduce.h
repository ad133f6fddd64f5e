// Internal: the canonical striped-8 sums (kernels.h) as inline scalar and AVX2 functions, so every
// kernel that reduces (layernorm, softmax, attention) shares one definition of the order.
#pragma once
#include "kernels/kmath.h"

namespace wg::kernels::detail {

inline float sum_s(const float* x, int n) {
    float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int n8 = n & ~7;
    for (int i = 0; i < n8; i += 8)
        for (int j = 0; j < 8; j++) l[j] = l[j] + x[i + j];
    float s = hsum_s(l);
    for (int i = n8; i < n; i++) s = s + x[i];
    return s;
}

inline float dot_s(const float* a, const float* b, int n) {
    float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int n8 = n & ~7;
    for (int i = 0; i < n8; i += 8)
        for (int j = 0; j < 8; j++) l[j] = __builtin_fmaf(a[i + j], b[i + j], l[j]);
    float s = hsum_s(l);
    for (int i = n8; i < n; i++) s = __builtin_fmaf(a[i], b[i], s);
    return s;
}

#if WG_HAVE_SIMD
WG_AVX2 inline float sum_v(const float* x, int n) {
    __m256 acc = _mm256_setzero_ps();
    int n8 = n & ~7;
    for (int i = 0; i < n8; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + i));
    float s = hsum_v8(acc);
    for (int i = n8; i < n; i++) s = s + x[i];
    return s;
}

WG_AVX2 inline float dot_v(const float* a, const float* b, int n) {
    __m256 acc = _mm256_setzero_ps();
    int n8 = n & ~7;
    for (int i = 0; i < n8; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    float s = hsum_v8(acc);
    for (int i = n8; i < n; i++) s = __builtin_fmaf(a[i], b[i], s);
    return s;
}
#endif

// Dispatch on the active backend.
inline float sum_any(const float* x, int n) {
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) return sum_v(x, n);
#endif
    return sum_s(x, n);
}
inline float dot_any(const float* a, const float* b, int n) {
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) return dot_v(a, b, n);
#endif
    return dot_s(a, b, n);
}

}  // namespace wg::kernels::detail
