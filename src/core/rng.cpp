#include "core/rng.h"

namespace wg {

static inline uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rng_hash(uint64_t seed, uint64_t stream, uint64_t index) {
    return mix64(mix64(mix64(seed) ^ stream) ^ index);
}

float Rng::normal() {
    float s = 0.0f;
    for (int i = 0; i < 12; i++) s += uniform();
    return s - 6.0f;
}

uint64_t seed_for(uint64_t seed, const char* purpose) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the purpose string
    for (const char* p = purpose; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return mix64(seed ^ mix64(h));
}

}  // namespace wg
