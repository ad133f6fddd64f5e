#include "train/schedule.h"

namespace wg {

double det_cos_pi(double x) {
    // cos(pi x) = -cos(pi (1 - x)): fold to [0, 1/2], then the Taylor series of cos in y = pi x <= pi/2
    // to y^24 (remainder < 2e-17).
    double sign = 1.0;
    if (x > 0.5) {
        x = 1.0 - x;
        sign = -1.0;
    }
    const double y = 3.14159265358979323846 * x, y2 = y * y;
    double term = 1.0, s = 1.0;
    for (int k = 1; k <= 12; k++) {
        term = -term * y2 / (double)((2 * k - 1) * (2 * k));
        s += term;
    }
    return sign * s;
}

float lr_at(int64_t step, int64_t total, int64_t warmup, float lr, float min_frac) {
    if (step < warmup) return (float)((double)lr * (double)(step + 1) / (double)warmup);
    int64_t span = total - warmup;
    double progress = span > 1 ? (double)(step - warmup) / (double)(span - 1) : 1.0;
    if (progress > 1.0) progress = 1.0;
    double lo = (double)lr * (double)min_frac;
    return (float)(lo + ((double)lr - lo) * 0.5 * (1.0 + det_cos_pi(progress)));
}

}  // namespace wg
