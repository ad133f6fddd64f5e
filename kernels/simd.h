// Internal to kernels/: how a kernel chooses between its scalar reference and its SIMD version.
// SIMD code is compiled per function with target attributes and only called when the CPU has the
// instructions (checked once at start-up), so one binary runs on every x86-64.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/kernels.h"

#if defined(WEIRDGEN_SIMD) && defined(__x86_64__)
#define WG_HAVE_SIMD 1
// GCC 12's AVX-512 intrinsics pass an "undefined" vector as the unused merge source, and after
// inlining -W(maybe-)uninitialized reports it against the header's lines (GCC 12): the
// warnings are off for the header's lines only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#define WG_AVX2 __attribute__((target("avx2,fma")))
#define WG_AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
#else
#define WG_HAVE_SIMD 0
#endif

namespace wg::kernels::detail {

enum SimdLevel { kNone = 0, kAvx2 = 1, kAvx512 = 2 };
// The level the SIMD backend uses now: kNone when the backend is Scalar or the CPU lacks AVX2.
SimdLevel active_simd();
// Threads for a parallel region: 1 inside another parallel region (never nest).
int region_threads();

inline uint32_t as_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

}  // namespace wg::kernels::detail
