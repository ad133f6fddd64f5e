// Learning rate: linear warm-up over `warmup` steps, then a cosine from lr down to lr * min_frac at
// the last step. The cosine is the kit's own (double precision Taylor series): libm's cos may differ
// in the last bit between machines, and one bit of learning rate changes every later weight.
#pragma once
#include <cstdint>

namespace wg {

double det_cos_pi(double x);  // cos(pi x) for x in [0, 1], error < 1e-15
float lr_at(int64_t step, int64_t total, int64_t warmup, float lr, float min_frac);

}  // namespace wg
