// Which kernels run (scalar reference, SIMD, OpenBLAS) and on how many threads.
#include <cblas.h>

#include "kernels/simd.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace wg::kernels {

namespace {
Backend g_backend = Backend::Simd;
int g_threads = 1;

detail::SimdLevel detect() {
#if WG_HAVE_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return detail::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return detail::kAvx2;
#endif
    return detail::kNone;
}
const detail::SimdLevel g_cpu_level = detect();
bool g_avx2_only = false;
}  // namespace

void set_backend(Backend b) { g_backend = b; }
Backend backend() { return g_backend; }
const char* backend_name() {
    switch (g_backend) {
        case Backend::Scalar: return "scalar";
        case Backend::Simd: return "simd";
        case Backend::OpenBlas: return "openblas";
    }
    return "?";
}

const char* simd_level() {
    switch (g_cpu_level) {
        case detail::kAvx512: return "avx512";
        case detail::kAvx2: return "avx2";
        default: return "none";
    }
}

void limit_simd_to_avx2(bool on) { g_avx2_only = on; }

void set_threads(int n) {
    g_threads = n < 1 ? 1 : n;
    // OpenBLAS keeps its own pool (all cores by default): the OpenBLAS backend, and the bench that
    // compares against it, must run on the same threads as our kernels.
    openblas_set_num_threads(g_threads);
#ifdef _OPENMP
    omp_set_num_threads(g_threads);
#endif
}
int threads() { return g_threads; }

namespace detail {
SimdLevel active_simd() {
    if (g_backend == Backend::Scalar) return kNone;
    return g_avx2_only && g_cpu_level > kAvx2 ? kAvx2 : g_cpu_level;
}
int region_threads() {
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
#endif
    return g_threads;
}
}  // namespace detail

}  // namespace wg::kernels
