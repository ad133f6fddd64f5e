// The public canonical sums (kernels.h); the kernels use the inline forms in reduce.h.
#include "kernels/reduce.h"

namespace wg::kernels {
float sum(const float* x, int n) { return detail::sum_any(x, n); }
float dot(const float* a, const float* b, int n) { return detail::dot_any(a, b, n); }
float max(const float* x, int n) { return detail::max_any(x, n); }
void exp_shifted(float* out, const float* x, int n, float shift) { detail::exp_shifted_any(out, x, n, shift); }
}  // namespace wg::kernels
