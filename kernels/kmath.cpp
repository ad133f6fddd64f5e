// wg::kernels::exp/log/tanh and their array forms (see kmath.h for the method and the error bounds).
#include "kernels/kmath.h"

namespace wg::kernels {

using namespace detail;

float exp(float x) { return exp_s(x); }
float log(float x) { return log_s(x); }
float tanh(float x) { return tanh_s(x); }

#if WG_HAVE_SIMD
#define WG_ARRAY_SIMD(NAME, VFN)                                             \
    WG_AVX2 static size_t NAME##_avx2(float* out, const float* in, size_t n) { \
        size_t i = 0;                                                        \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, VFN(_mm256_loadu_ps(in + i))); \
        return i;                                                            \
    }
WG_ARRAY_SIMD(exp, exp_v8)
WG_ARRAY_SIMD(log, log_v8)
WG_ARRAY_SIMD(tanh, tanh_v8)
#undef WG_ARRAY_SIMD
#endif

void exp_array(float* out, const float* in, size_t n) {
    size_t i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = exp_avx2(out, in, n);
#endif
    for (; i < n; i++) out[i] = exp_s(in[i]);
}

void log_array(float* out, const float* in, size_t n) {
    size_t i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = log_avx2(out, in, n);
#endif
    for (; i < n; i++) out[i] = log_s(in[i]);
}

void tanh_array(float* out, const float* in, size_t n) {
    size_t i = 0;
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) i = tanh_avx2(out, in, n);
#endif
    for (; i < n; i++) out[i] = tanh_s(in[i]);
}

}  // namespace wg::kernels
