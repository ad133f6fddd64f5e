// The kit's exp, log and tanh, as scalar inline functions and as 8-lane AVX2 functions that perform
// exactly the same IEEE operations in the same order (min/max, mul, add, fma, integer bit tricks),
// so every lane returns the bits the scalar version returns. Used by the kernels; kmath.cpp exposes
// them as wg::kernels::exp/log/tanh.
#pragma once
#include "kernels/simd.h"

namespace wg::kernels::detail {

// exp: x = n ln2 + f with |f| <= ln2/2, exp(f) by its Taylor series to degree 7 (error < 1e-8),
// times 2^n built in the exponent bits. n comes from adding and subtracting 1.5 * 2^23, which rounds
// to nearest in any float unit. Inputs are clamped to [-87, 88] so 2^n stays a normal float.
constexpr float kExpHi = 88.0f, kExpLo = -87.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693145751953125f;      // ln 2 with its low bits cleared: n * kLn2Hi is exact
constexpr float kLn2Lo = 1.42860682030941723e-06f;
constexpr float kRoundMagic = 12582912.0f;         // 1.5 * 2^23
constexpr float kExpC[8] = {1.0f, 1.0f, 0.5f, 1.0f / 6, 1.0f / 24, 1.0f / 120, 1.0f / 720, 1.0f / 5040};

inline float exp_s(float x) {
    x = kExpHi < x ? kExpHi : x;  // _mm256_min_ps(hi, x): a NaN passes through
    x = kExpLo > x ? kExpLo : x;  // _mm256_max_ps(lo, x)
    float r = (x * kLog2e + kRoundMagic) - kRoundMagic;
    float f = __builtin_fmaf(r, -kLn2Hi, x);
    f = __builtin_fmaf(r, -kLn2Lo, f);
    float p = kExpC[7];
    for (int i = 6; i >= 0; i--) p = __builtin_fmaf(p, f, kExpC[i]);
    int32_t n = r == r ? (int32_t)r : INT32_MIN;  // what cvttps gives a NaN lane, without UB
    float scale = from_bits((uint32_t)(n + 127) << 23);
    return p * scale;
}

// log: x = 2^e m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1), by its odd
// series to s^9 (|s| < 0.172, error < 4e-10). Zero -> -inf, negative or NaN -> NaN, +inf -> +inf.
// Subnormal inputs are scaled by 2^23 first.
constexpr float kSqrt2 = 1.41421356237309505f;
inline float log_s(float x) {
    if (!(x > 0.0f)) return x == 0.0f ? -__builtin_inff() : __builtin_nanf("");
    if (x == __builtin_inff()) return x;
    float eadj = 0.0f;
    if (x < 1.17549435e-38f) {
        x = x * 8388608.0f;
        eadj = -23.0f;
    }
    uint32_t bits = as_bits(x);
    float e = (float)((int32_t)(bits >> 23) - 127) + eadj;
    float m = from_bits((bits & 0x7fffffu) | 0x3f800000u);
    if (m > kSqrt2) {
        m = m * 0.5f;
        e = e + 1.0f;
    }
    float s = (m - 1.0f) / (m + 1.0f);
    float z = s * s;
    float p = 1.0f / 9;
    p = __builtin_fmaf(p, z, 1.0f / 7);
    p = __builtin_fmaf(p, z, 1.0f / 5);
    p = __builtin_fmaf(p, z, 1.0f / 3);
    p = __builtin_fmaf(p, z, 1.0f);
    float r = (s + s) * p;
    return __builtin_fmaf(e, kLn2Hi, __builtin_fmaf(e, kLn2Lo, r));
}

// tanh(x) = sign(x) (1 - t) / (1 + t) with t = exp(-2|x|): absolute error about 1e-7.
inline float tanh_s(float x) {
    float a = from_bits(as_bits(x) & 0x7fffffffu);
    float t = exp_s(-2.0f * a);
    float y = (1.0f - t) / (1.0f + t);
    return from_bits(as_bits(y) | (as_bits(x) & 0x80000000u));
}

#if WG_HAVE_SIMD
WG_AVX2 inline __m256 exp_v8(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(kExpHi), x);
    x = _mm256_max_ps(_mm256_set1_ps(kExpLo), x);
    const __m256 magic = _mm256_set1_ps(kRoundMagic);
    __m256 r = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), magic), magic);
    __m256 f = _mm256_fmadd_ps(r, _mm256_set1_ps(-kLn2Hi), x);
    f = _mm256_fmadd_ps(r, _mm256_set1_ps(-kLn2Lo), f);
    __m256 p = _mm256_set1_ps(kExpC[7]);
    for (int i = 6; i >= 0; i--) p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kExpC[i]));
    __m256i n = _mm256_cvttps_epi32(r);
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

// The vector log handles the special inputs lane by lane with blends, giving what log_s gives.
WG_AVX2 inline __m256 log_v8(__m256 x) {
    const __m256 zero = _mm256_setzero_ps();
    __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
    __m256 eadj = _mm256_blendv_ps(zero, _mm256_set1_ps(-23.0f), tiny);
    __m256i bits = _mm256_castps_si256(xs);
    __m256 e = _mm256_add_ps(
        _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127))), eadj);
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)),
                                                   _mm256_set1_epi32(0x3f800000)));
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(kSqrt2), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_blendv_ps(e, _mm256_add_ps(e, _mm256_set1_ps(1.0f)), big);
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 s = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one));
    __m256 z = _mm256_mul_ps(s, s);
    __m256 p = _mm256_set1_ps(1.0f / 9);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.0f / 7));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.0f / 5));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.0f / 3));
    p = _mm256_fmadd_ps(p, z, one);
    __m256 r = _mm256_mul_ps(_mm256_add_ps(s, s), p);
    __m256 y = _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Hi), _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Lo), r));
    // Special lanes: +inf stays +inf, 0 gives -inf, negative or NaN give NaN.
    const __m256 inf = _mm256_set1_ps(__builtin_inff());
    y = _mm256_blendv_ps(y, inf, _mm256_cmp_ps(x, inf, _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(-__builtin_inff()), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_nanf("")), _mm256_cmp_ps(x, zero, _CMP_NGE_UQ));
    return y;
}

WG_AVX2 inline __m256 tanh_v8(__m256 x) {
    const __m256 signmask = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
    __m256 a = _mm256_andnot_ps(signmask, x);
    __m256 t = exp_v8(_mm256_mul_ps(_mm256_set1_ps(-2.0f), a));
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 y = _mm256_div_ps(_mm256_sub_ps(one, t), _mm256_add_ps(one, t));
    return _mm256_or_ps(y, _mm256_and_ps(x, signmask));
}

// The same exp and tanh on 16 lanes (AVX-512): the same IEEE operations as exp_v8 and tanh_v8, lane by
// lane, so the same bits; elementwise kernels use them where the CPU has AVX-512.
WG_AVX512 inline __m512 exp_v16(__m512 x) {
    x = _mm512_min_ps(_mm512_set1_ps(kExpHi), x);
    x = _mm512_max_ps(_mm512_set1_ps(kExpLo), x);
    const __m512 magic = _mm512_set1_ps(kRoundMagic);
    __m512 r = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), magic), magic);
    __m512 f = _mm512_fmadd_ps(r, _mm512_set1_ps(-kLn2Hi), x);
    f = _mm512_fmadd_ps(r, _mm512_set1_ps(-kLn2Lo), f);
    __m512 p = _mm512_set1_ps(kExpC[7]);
    for (int i = 6; i >= 0; i--) p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kExpC[i]));
    __m512i n = _mm512_cvttps_epi32(r);
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(p, scale);
}

WG_AVX512 inline __m512 tanh_v16(__m512 x) {
    const __m512i signmask = _mm512_set1_epi32((int)0x80000000u);
    __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(signmask, _mm512_castps_si512(x)));
    __m512 t = exp_v16(_mm512_mul_ps(_mm512_set1_ps(-2.0f), a));
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 y = _mm512_div_ps(_mm512_sub_ps(one, t), _mm512_add_ps(one, t));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), _mm512_and_si512(_mm512_castps_si512(x), signmask)));
}

// The canonical striped sum of 8 lanes: ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
WG_AVX2 inline float hsum_v8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // l0+l4 .. l3+l7
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                          // (l0+l4)+(l2+l6), (l1+l5)+(l3+l7)
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#endif

// Scalar form of the same combination, used by the reference kernels.
inline float hsum_s(const float l[8]) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

}  // namespace wg::kernels::detail
