// The kit's only source of randomness: a counter-based generator keyed by (seed, stream, index).
// Draw i of stream s under seed k is a pure function of (k, s, i), so any draw can be reproduced
// without replaying the ones before it, whatever the thread count or batch (DESIGN.md section 3).
// No std::*_distribution anywhere: their output differs between standard libraries.
#pragma once
#include <cstdint>

namespace wg {

// A strong 64-bit mix (the SplitMix64 finalizer) applied over the three keys.
uint64_t rng_hash(uint64_t seed, uint64_t stream, uint64_t index);

struct Rng {
    uint64_t seed = 0, stream = 0, index = 0;
    Rng() = default;
    Rng(uint64_t seed_, uint64_t stream_) : seed(seed_), stream(stream_) {}

    uint64_t next_u64() { return rng_hash(seed, stream, index++); }
    // Uniform in [0, 1) with 24 random bits: exact in float, the same on every machine.
    float uniform() { return (float)(next_u64() >> 40) * (1.0f / 16777216.0f); }
    // Uniform integer in [0, n); n > 0. Multiply-shift: unbiased enough for n << 2^32.
    uint32_t below(uint32_t n) { return (uint32_t)(((next_u64() >> 32) * (uint64_t)n) >> 32); }
    // Approximately standard normal: the sum of 12 uniforms minus 6 (Irwin-Hall). It needs no
    // transcendental function (libm differs between machines) and its tails end at +-6, which is
    // all weight initialisation needs.
    float normal();
};

// Derive a sub-seed for a named purpose ("init", "batch", "lora"...), so streams never collide.
uint64_t seed_for(uint64_t seed, const char* purpose);

}  // namespace wg
