// The public canonical sums (kernels.h); the kernels use the inline forms in reduce.h.
#include "kernels/reduce.h"

namespace wg::kernels {
float sum(const float* x, int n) { return detail::sum_any(x, n); }
float dot(const float* a, const float* b, int n) { return detail::dot_any(a, b, n); }
}  // namespace wg::kernels
