// Internal: the canonical striped-8 sums (kernels.h) as inline scalar and AVX2 functions, so every
// kernel that reduces (layernorm, softmax, attention) shares one definition of the order; and the other
// row steps those kernels share (a row's maximum, x - c, exp(x - max)), each in one place.
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

// The vector parts of max_any, sub_any and exp_shifted_any: whole blocks of 8 from 0; each returns
// where it stopped.
WG_AVX2 inline int max_v(const float* x, int n, float* mx) {
    __m256 m = _mm256_set1_ps(*mx);
    int i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(_mm256_loadu_ps(x + i), m);  // x > m ? x : m
    float l[8];
    _mm256_storeu_ps(l, m);
    for (float v : l) *mx = v > *mx ? v : *mx;
    return i;
}
WG_AVX2 inline int sub_v(float* out, const float* x, int n, float c) {
    int i = 0;
    for (const __m256 vc = _mm256_set1_ps(c); i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_sub_ps(_mm256_loadu_ps(x + i), vc));
    return i;
}
WG_AVX2 inline int exp_shifted_v(float* e, const float* z, int n, float mx) {
    int i = 0;
    for (const __m256 m = _mm256_set1_ps(mx); i + 8 <= n; i += 8)
        _mm256_storeu_ps(e + i, exp_v8(_mm256_sub_ps(_mm256_loadu_ps(z + i), m)));
    return i;
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

// The largest of x[0..n), n >= 1: mx = x[0], then mx = x[i] > mx ? x[i] : mx. With SIMD, lane by lane
// and then across the lanes: the same largest value (max is exact), though a zero maximum may come out
// -0 where the loop finds +0 or the reverse. Its one use is x - max, which that changes for no x, so
// no softmax probability or loss changes.
inline float max_any(const float* x, int n) {
    float mx = x[0];
    int i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = max_v(x, n, &mx);
#endif
    for (; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    return mx;
}

// out[i] = x[i] - c (out may be x).
inline void sub_any(float* out, const float* x, int n, float c) {
    int i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = sub_v(out, x, n, c);
#endif
    for (; i < n; i++) out[i] = x[i] - c;
}

// e[i] = exp(z[i] - mx) (e may be z).
inline void exp_shifted_any(float* e, const float* z, int n, float mx) {
    int i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = exp_shifted_v(e, z, n, mx);
#endif
    for (; i < n; i++) e[i] = exp_s(z[i] - mx);
}

}  // namespace wg::kernels::detail
