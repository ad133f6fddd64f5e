// Internal: the canonical striped-8 sums (kernels.h) as inline scalar and AVX2 functions, so every
// kernel that reduces (layernorm, softmax, attention) shares one definition of the order; and the other
// row steps those kernels share (a row's maximum, x - c, exp(x - max)), each in one place.
#pragma once
#include <algorithm>

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

// Four dots at once, out[r] = dot_v(a[r], b[r], n[r]) bit for bit: four chains side by side, so that
// each fma's latency is hidden behind the others' (one short dot waits on each of its fmas in turn).
WG_AVX2 inline void dot4_v(const float* const a[4], const float* const b[4], const int n[4], float out[4]) {
    __m256 acc[4];
    int n8[4], common = n[0] & ~7;
    for (int r = 0; r < 4; r++) {
        acc[r] = _mm256_setzero_ps();
        n8[r] = n[r] & ~7;
        common = std::min(common, n8[r]);
    }
    for (int i = 0; i < common; i += 8)
        for (int r = 0; r < 4; r++) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(a[r] + i), _mm256_loadu_ps(b[r] + i), acc[r]);
    for (int r = 0; r < 4; r++) {
        for (int i = common; i < n8[r]; i += 8)
            acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(a[r] + i), _mm256_loadu_ps(b[r] + i), acc[r]);
        float s = hsum_v8(acc[r]);
        for (int i = n8[r]; i < n[r]; i++) s = __builtin_fmaf(a[r][i], b[r][i], s);
        out[r] = s;
    }
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

// AVX-512 forms of max, x - c and exp(x - c): sixteen lanes, the last partial vector under a mask, so
// each covers all n (and returns n) and no element is left to the scalar loop, whose exp calls the
// library's fma (it is not compiled for FMA). Elementwise, or exact (max): the scalar bits.
WG_AVX512 inline __mmask16 first_lanes(int n) { return (__mmask16)(n >= 16 ? 0xFFFFu : (1u << n) - 1u); }
// Loads and stores of the lanes in k: plain ones for a whole vector, masked ones only for the last
// partial vector.
WG_AVX512 inline __m512 load16(const float* p, __mmask16 k) {
    return k == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(k, p);
}
WG_AVX512 inline void store16(float* p, __mmask16 k, __m512 v) {
    if (k == 0xFFFF) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, k, v);
}
// max_v16 keeps four running maxima, so that a long row (a vocabulary of logits) is not one chain of
// dependent max instructions; max is exact in any order.
WG_AVX512 inline int max_v16(const float* x, int n, float* mx) {
    __m512 m[4];
    for (__m512& v : m) v = _mm512_set1_ps(*mx);
    int i = 0;
    for (; i + 64 <= n; i += 64)
        for (int k = 0; k < 4; k++) m[k] = _mm512_max_ps(_mm512_loadu_ps(x + i + 16 * k), m[k]);
    for (; i < n; i += 16) m[0] = _mm512_max_ps(_mm512_mask_loadu_ps(m[0], first_lanes(n - i), x + i), m[0]);
    float l[16];
    _mm512_storeu_ps(l, _mm512_max_ps(_mm512_max_ps(m[0], m[1]), _mm512_max_ps(m[2], m[3])));
    for (float v : l) *mx = v > *mx ? v : *mx;
    return n;
}
WG_AVX512 inline int sub_v16(float* out, const float* x, int n, float c) {
    const __m512 vc = _mm512_set1_ps(c);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = first_lanes(n - i);
        store16(out + i, k, _mm512_sub_ps(load16(x + i, k), vc));
    }
    return n;
}
WG_AVX512 inline int exp_shifted_v16(float* e, const float* z, int n, float mx) {
    const __m512 m = _mm512_set1_ps(mx);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = first_lanes(n - i);
        store16(e + i, k, exp_v16(_mm512_sub_ps(load16(z + i, k), m)));
    }
    return n;
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
inline void dot4_any(const float* const a[4], const float* const b[4], const int n[4], float out[4]) {
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) return dot4_v(a, b, n, out);
#endif
    for (int r = 0; r < 4; r++) out[r] = dot_s(a[r], b[r], n[r]);
}

// The largest of x[0..n), n >= 1: mx = x[0], then mx = x[i] > mx ? x[i] : mx. With SIMD, lane by lane
// and then across the lanes: the same largest value (max is exact), though a zero maximum may come out
// -0 where the loop finds +0 or the reverse. Its one use is x - max, which that changes for no x, so
// no softmax probability or loss changes.
inline float max_any(const float* x, int n) {
    float mx = x[0];
    int i = 0;
#if WG_HAVE_SIMD
    if (const SimdLevel level = active_simd(); level >= kAvx512) i = max_v16(x, n, &mx);
    else if (level >= kAvx2) i = max_v(x, n, &mx);
#endif
    for (; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    return mx;
}

// out[i] = x[i] - c (out may be x).
inline void sub_any(float* out, const float* x, int n, float c) {
    int i = 0;
#if WG_HAVE_SIMD
    if (const SimdLevel level = active_simd(); level >= kAvx512) i = sub_v16(out, x, n, c);
    else if (level >= kAvx2) i = sub_v(out, x, n, c);
#endif
    for (; i < n; i++) out[i] = x[i] - c;
}

// e[i] = exp(z[i] - mx) (e may be z).
inline void exp_shifted_any(float* e, const float* z, int n, float mx) {
    int i = 0;
#if WG_HAVE_SIMD
    if (const SimdLevel level = active_simd(); level >= kAvx512) i = exp_shifted_v16(e, z, n, mx);
    else if (level >= kAvx2) i = exp_shifted_v(e, z, n, mx);
#endif
    for (; i < n; i++) e[i] = exp_s(z[i] - mx);
}

}  // namespace wg::kernels::detail
