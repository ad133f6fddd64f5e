// Internal to kernels/: how a kernel splits its loop over the kit's threads.
#pragma once
#include <cstddef>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace wg::kernels::detail {

// Calls body(lo, hi) once on each of nthreads threads, with that thread's contiguous share of [0, n),
// so that a body can set up its scratch once per thread. With one thread it is a plain call and never
// enters OpenMP: a region whose if clause is false still makes libgomp set up a team of one and a
// futex syscall (1.2 us each here), and the per-head matmuls of attention made about 13,000 of them
// in every training step of preset a (8% of the step). The bits never depend on the split: each
// output is computed by one thread, in an order fixed by the kernel.
template <class Body>
void parallel_ranges(long n, int nthreads, Body&& body) {
    if (n <= 0) return;
    if (nthreads > n) nthreads = (int)n;
#ifdef _OPENMP
    if (nthreads > 1) {
#pragma omp parallel num_threads(nthreads)
        {
            const long t = omp_get_thread_num(), nt = omp_get_num_threads();
            body(n * t / nt, n * (t + 1) / nt);
        }
        return;
    }
#endif
    body(0L, n);
}

// Scratch buffers (thread_local, reused by every call) only grow: a vector resized down and then up
// again zero-fills the regrown part, and every part a kernel reads it writes first. (The zero-filling of
// the matmul's packing buffers was 1.6% of preset a's training step, on the main thread while the other
// waited.)
inline void grow(std::vector<float>& v, size_t n) {
    if (v.size() < n) v.resize(n);
}

}  // namespace wg::kernels::detail
