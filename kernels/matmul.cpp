// GEMM and the Linear layer built on it (kernels.h states the canonical order: one fma chain per
// output over p = 0..K-1, then the bias or the accumulation added once).
//
// The SIMD version is the classic register-tiled kernel: B is packed into panels NR columns wide,
// a tile of MR rows x NR columns lives in registers while p runs over a block of K (between blocks
// the sums wait in memory), each step broadcasting one A value per row and doing one fma per
// register. Every lane is one output's chain, so the tile shape, the vector width and the thread
// split change nothing in the result.
#include <algorithm>
#include <cblas.h>
#include <cstring>
#include <unistd.h>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace wg::kernels {

using namespace detail;

namespace {

// Element (i, p) of op(A) and (p, j) of op(B).
inline float at_a(const float* A, int lda, bool ta, int i, int p) { return ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]; }
inline float at_b(const float* B, int ldb, bool tb, int p, int j) { return tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j]; }

// The scalar epilogue: C = acc (+ bias) or C = C + acc. The SIMD tiles do the same additions from
// their registers (Epilogue, below).
inline void store_row(float* c, const float* acc, int n, bool accumulate, const float* bias) {
    if (accumulate)
        for (int j = 0; j < n; j++) c[j] = c[j] + acc[j];
    else if (bias)
        for (int j = 0; j < n; j++) c[j] = acc[j] + bias[j];
    else
        for (int j = 0; j < n; j++) c[j] = acc[j];
}

// The reference: i, p, j order; acc[j] holds output j's chain.
void gemm_scalar(int M, int N, int K, const float* A, int lda, bool ta, const float* B, int ldb, bool tb, float* C,
                 int ldc, bool accumulate, const float* bias) {
    std::vector<float> acc(N);
    for (int i = 0; i < M; i++) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int p = 0; p < K; p++) {
            float a = at_a(A, lda, ta, i, p);
            for (int j = 0; j < N; j++) acc[j] = __builtin_fmaf(a, at_b(B, ldb, tb, p, j), acc[j]);
        }
        store_row(C + (size_t)i * ldc, acc.data(), N, accumulate, bias);
    }
}

void gemm_openblas(int M, int N, int K, const float* A, int lda, bool ta, const float* B, int ldb, bool tb, float* C,
                   int ldc, bool accumulate, const float* bias) {
    if (!accumulate)
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = bias ? bias[j] : 0.0f;
    if (K == 0) return;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda,
                B, ldb, 1.0f, C, ldc);
}

#if WG_HAVE_SIMD

constexpr int kMR = 6;    // rows of a register tile
constexpr int kMC = 96;   // rows of A kept in L2 while a panel of B passes
constexpr int kNR512 = 64;  // columns of an AVX-512 tile and panel: 4 vectors, 24 accumulators with MR = 6
// Columns of the AVX-512 tile for outputs 32 or fewer wide (attention's products, head size 32, at
// presets a and b): in 64-column tiles half the lanes multiplied padding (47 GFLOP/s at 128 x 32 x 128).
constexpr int kNR512Narrow = 32;
constexpr int kNR256 = 16;  // columns of an AVX2 tile and panel: 2 vectors, 12 accumulators
// Depth of a block: a KC x NR slice of a B panel stays in L1 while the tiles of a row block pass it.
// With AVX-512 the slice is 64 columns wide, so its depth follows L1's size: 128 steps (32 KiB) where L1
// holds 48 KiB (Xeon, CPU model 207: 119-126 -> 129-134 GFLOP/s at preset c's weight and head gradients,
// every shape of preset c faster), 64 (16 KiB) on smaller L1s, as tuned before on 32 KiB. The depth
// changes no bit: a tile's sums continue from block to block.
int kc_avx512() {
    static const int kc = sysconf(_SC_LEVEL1_DCACHE_SIZE) >= 48 * 1024 ? 128 : 64;
    return kc;
}
constexpr int kKC256 = 256;
// With AVX2, at most this many of a thread's sums (256 KiB, in L2) wait between blocks of K. With AVX-512
// every group of panels is one panel, the loop order measured on AVX-512 machines before the groups came
// in (they were tuned on an AVX2-only machine, where the AVX-512 path cannot run).
constexpr int kAccFloats = 1 << 16;

// Micro-panels of op(A) start one cache line more than K x MR floats apart. (Exactly K x MR apart, 48
// KiB when K = 2048, a step's stores to the panels all fell into one of L1's sets and evicted each other
// before their lines were full: pack_a_t was 27% of preset a's MLP weight gradient run alone, which went
// from 149 to 171 GFLOP/s, and the head's from 138 to 158. Inside the training step, where A comes
// cold from memory, the packing's share did not measurably change.)
inline size_t a_panel_stride(int K) { return (size_t)K * kMR + 16; }

// Packs rows i0..i0+mc of op(A) = A^T (A is K x lda) into micro-panels of MR rows: panel t holds
// rows i0 + MR t .. + MR - 1, step p at [t a_panel_stride + p MR], so a tile reads its MR values of a
// step from one place and its whole block as one stream. (Copied as one mc-wide strip per step, the tile
// read MR floats from a new cache line at every step, and the weight gradients ran at 0.55 of OpenBLAS.)
// Step by step, so each row of A is read once, front to back (rows lda apart often share a cache set).
// Each step's few cache lines sit in a page of their own when lda is large (the head's gradient, lda =
// vocabulary), out of the hardware prefetcher's reach: they are prefetched kAhead steps early. (Without
// it the packing was 22% of the head's weight gradient at preset c.)
WG_AVX2 void pack_a_t(int K, int mc, const float* A, int lda, int i0, float* dst) {
    constexpr int kAhead = 8;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int p = 0; p < K; p++) {
        const float* src = A + (size_t)p * lda + i0;
        if (p + kAhead < K)
            for (int i = 0; i < mc; i += 16) _mm_prefetch((const char*)(src + (size_t)kAhead * lda + i), _MM_HINT_T0);
        for (int t = 0; t * kMR < mc; t++) {
            const int rows = std::min(kMR, mc - t * kMR);
            const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), lane);
            const __m256 v = _mm256_maskload_ps(src + t * kMR, mask);
            float* d = dst + t * a_panel_stride(K) + (size_t)p * kMR;
            // A masked store is slow on AMD (it made this packing 7-10% of the Terminator's training): a
            // whole panel's step is stored as 8 floats, the 2 beyond it overwritten by the next step.
            if (rows == kMR && p + 1 < K) _mm256_storeu_ps(d, v);
            else _mm256_maskstore_ps(d, mask, v);
        }
    }
}

// The same micro-panels from A itself (row-major, op(A) = A): row by row, each read front to back.
// (A panel's rows side by side, step by step, so that the writes run front to back, was 10% slower at
// 2048 x 256 x 1024, with or without a transpose in registers: the MR reads are then lda apart.)
void pack_a_n(int K, int mc, const float* A, int lda, int i0, float* dst) {
    for (int i = 0; i < mc; i++) {
        const float* src = A + (size_t)(i0 + i) * lda;
        float* d = dst + (i / kMR) * a_panel_stride(K) + i % kMR;
        for (int p = 0; p < K; p++) d[(size_t)p * kMR] = src[p];
    }
}

// One row of a panel (NR floats), with a size the compiler knows, so it is a few vector moves.
inline void copy_panel_row(float* dst, const float* src, int NR) {
    if (NR == kNR256) std::memcpy(dst, src, kNR256 * sizeof(float));
    else if (NR == kNR512Narrow) std::memcpy(dst, src, kNR512Narrow * sizeof(float));
    else std::memcpy(dst, src, kNR512 * sizeof(float));
}

// Panels start one cache line more than K x NR floats apart. (Exactly K x NR apart, a power of two
// times 64 bytes for the model's K, every panel's row p fell into the same cache set, and the packing
// of a weight gradient at the Terminator's shape ran at 1.2 GB/s, 40% of its time, on AVX2.)
inline size_t panel_stride(int K, int NR) { return (size_t)K * NR + 16; }

// Packs op(B) (K x N) into ceil(N/NR) panels of K x NR, zero-padded on the right. In blocks of 16
// steps across all panels, so that the rows being read and the rows being written both stay in L1.
// (Panel by panel over all of K, each step read NR floats from a row ldb away, 8 KiB when N = 2048:
// 2.1 GB/s, and 15% of a weight gradient's time at preset c; in blocks, 6 GB/s.)
void pack_b(int K, int N, int NR, const float* B, int ldb, bool tb, std::vector<float>& out) {
    constexpr int kSteps = 16;
    const int np = (N + NR - 1) / NR, nblocks = (K + kSteps - 1) / kSteps;
    grow(out, (size_t)np * panel_stride(K, NR));
    parallel_ranges(nblocks, (size_t)K * N > 65536 ? region_threads() : 1, [&](long kb0, long kb1) {
        for (int kb = (int)kb0; kb < (int)kb1; kb++) {
            const int p0 = kb * kSteps, p1 = std::min(K, p0 + kSteps);
            for (int jp = 0; jp < np; jp++) {
                const int j0 = jp * NR, nc = std::min(NR, N - j0);
                float* dst = out.data() + (size_t)jp * panel_stride(K, NR);
                if (tb) {
                    for (int j = 0; j < nc; j++) {
                        const float* src = B + (size_t)(j0 + j) * ldb;
                        for (int p = p0; p < p1; p++) dst[(size_t)p * NR + j] = src[p];
                    }
                } else if (nc == NR) {  // whole rows of a panel: copied in vectors (a scalar copy ran at 1.6 GB/s)
                    for (int p = p0; p < p1; p++) copy_panel_row(dst + (size_t)p * NR, B + (size_t)p * ldb + j0, NR);
                } else {
                    for (int p = p0; p < p1; p++)
                        for (int j = 0; j < nc; j++) dst[(size_t)p * NR + j] = B[(size_t)p * ldb + j0 + j];
                }
                if (nc < NR)
                    for (int p = p0; p < p1; p++) std::fill(dst + (size_t)p * NR + nc, dst + (size_t)(p + 1) * NR, 0.0f);
            }
        }
    });
}

// Where a tile's sums go after the last block of K: straight into C, with store_row's additions (C + sum
// when accumulating, sum + bias, or the sum alone), one per output, so the bits are store_row's; only nc
// of the NR columns exist in the ragged last panel. C is written once and the sums skip the round trip
// through memory that a separate epilogue pass over the block cost (5% of preset a's training step).
struct Epilogue {
    float* c;  // the tile's first row and column in C
    size_t ldc;
    int nc;
    bool accumulate;
    const float* bias;  // at the tile's first column, or null
};

// One register tile over a block of kc steps (row p of the B panel at Bp + p * bs): acc (MR x NR, ld NR) starts from zero or from `acc`
// itself (the chain continues from the previous block: the same sequence of fmas as one long loop).
// A's element (r, p) is A[r * rs + p * ps], so op(A) may be A or its transpose without a copy.
// Before the last block the sums are kept in `acc`; after it `ep` is given and they go to C.
template <int MR>
WG_AVX2 void tile_avx2(int kc, const float* A, size_t rs, size_t ps, const float* Bp, size_t bs, float* acc, bool cont,
                       const Epilogue* ep, float* /*pack: AVX-512 only*/) {
    __m256 c[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        c[r][0] = cont ? _mm256_loadu_ps(acc + r * 16) : _mm256_setzero_ps();
        c[r][1] = cont ? _mm256_loadu_ps(acc + r * 16 + 8) : _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(Bp + (size_t)p * bs), b1 = _mm256_loadu_ps(Bp + (size_t)p * bs + 8);
        const float* a = A + p * ps;
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            __m256 av = _mm256_broadcast_ss(a + r * rs);
            c[r][0] = _mm256_fmadd_ps(av, b0, c[r][0]);
            c[r][1] = _mm256_fmadd_ps(av, b1, c[r][1]);
        }
    }
    if (ep) {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i m[2] = {_mm256_cmpgt_epi32(_mm256_set1_epi32(ep->nc), lane),
                              _mm256_cmpgt_epi32(_mm256_set1_epi32(ep->nc - 8), lane)};
        // A whole panel's row is loaded and stored unmasked: a masked store is microcoded on AMD, and the
        // twelve of every tile cost a K = 128 tile a fifth of its time. Same sums, same bits.
        const bool whole = ep->nc == kNR256;
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            float* crow = ep->c + (size_t)r * ep->ldc;
            for (int h = 0; h < 2; h++) {
                __m256 v = c[r][h];
                if (ep->accumulate)
                    v = _mm256_add_ps(whole ? _mm256_loadu_ps(crow + 8 * h) : _mm256_maskload_ps(crow + 8 * h, m[h]), v);
                else if (ep->bias)
                    v = _mm256_add_ps(v, whole ? _mm256_loadu_ps(ep->bias + 8 * h) : _mm256_maskload_ps(ep->bias + 8 * h, m[h]));
                if (whole) _mm256_storeu_ps(crow + 8 * h, v);
                else _mm256_maskstore_ps(crow + 8 * h, m[h], v);
            }
        }
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        _mm256_storeu_ps(acc + r * 16, c[r][0]);
        _mm256_storeu_ps(acc + r * 16 + 8, c[r][1]);
    }
}

// With Pack, the tile also stores each row of its B slice, NR floats, to pack + p NR: the first tile
// of a slice read in place packs it for the others (see gemm_simd's fused_pack).
template <int MR, int NV, bool Pack = false>  // NV: vectors per row, 4 (kNR512 columns) or 2 (kNR512Narrow)
WG_AVX512 void tile_avx512(int kc, const float* A, size_t rs, size_t ps, const float* Bp, size_t bs, float* acc, bool cont,
                           const Epilogue* ep, float* pack) {
    constexpr int NR = 16 * NV;
    // The tile's rows of C are fetched while the sums build, so that the epilogue's stores find them in L1.
    // (Stored cold, they stalled the tiles of wide outputs: the head's logits, 2048 x 2048 at preset a,
    // ran at 144 GFLOP/s against OpenBLAS's 184, and at 198 with the prefetch.)
    if (ep)
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
            for (int h = 0; h < NV; h++) _mm_prefetch((const char*)(ep->c + (size_t)r * ep->ldc + 16 * h), _MM_HINT_T0);
    __m512 c[MR][NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int h = 0; h < NV; h++) c[r][h] = cont ? _mm512_loadu_ps(acc + r * NR + 16 * h) : _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m512 b[NV];
#pragma GCC unroll 4
        for (int h = 0; h < NV; h++) b[h] = _mm512_loadu_ps(Bp + (size_t)p * bs + 16 * h);
        if constexpr (Pack)
#pragma GCC unroll 4
            for (int h = 0; h < NV; h++) _mm512_storeu_ps(pack + (size_t)p * NR + 16 * h, b[h]);
        const float* a = A + p * ps;
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            __m512 av = _mm512_set1_ps(a[r * rs]);
#pragma GCC unroll 4
            for (int h = 0; h < NV; h++) c[r][h] = _mm512_fmadd_ps(av, b[h], c[r][h]);
        }
    }
    if (ep) {
        auto mask = [](int n) { return (__mmask16)(n >= 16 ? 0xFFFFu : n <= 0 ? 0u : (1u << n) - 1); };
        __mmask16 m[NV];
        for (int h = 0; h < NV; h++) m[h] = mask(ep->nc - 16 * h);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            float* crow = ep->c + (size_t)r * ep->ldc;
#pragma GCC unroll 4
            for (int h = 0; h < NV; h++) {
                __m512 v = c[r][h];
                if (ep->accumulate)
                    v = _mm512_add_ps(_mm512_maskz_loadu_ps(m[h], crow + 16 * h), v);
                else if (ep->bias)
                    v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m[h], ep->bias + 16 * h));
                _mm512_mask_storeu_ps(crow + 16 * h, m[h], v);
            }
        }
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int h = 0; h < NV; h++) _mm512_storeu_ps(acc + r * NR + 16 * h, c[r][h]);
}

using TileFn = void (*)(int, const float*, size_t, size_t, const float*, size_t, float*, bool, const Epilogue*, float*);
const TileFn kTilesAvx2[kMR + 1] = {nullptr, tile_avx2<1>, tile_avx2<2>, tile_avx2<3>,
                                    tile_avx2<4>, tile_avx2<5>, tile_avx2<6>};
const TileFn kTilesAvx512[kMR + 1] = {nullptr, tile_avx512<1, 4>, tile_avx512<2, 4>, tile_avx512<3, 4>,
                                      tile_avx512<4, 4>, tile_avx512<5, 4>, tile_avx512<6, 4>};
const TileFn kTilesAvx512Pack[kMR + 1] = {nullptr, tile_avx512<1, 4, true>, tile_avx512<2, 4, true>, tile_avx512<3, 4, true>,
                                          tile_avx512<4, 4, true>, tile_avx512<5, 4, true>, tile_avx512<6, 4, true>};
const TileFn kTilesAvx512Narrow[kMR + 1] = {nullptr, tile_avx512<1, 2>, tile_avx512<2, 2>, tile_avx512<3, 2>,
                                            tile_avx512<4, 2>, tile_avx512<5, 2>, tile_avx512<6, 2>};

void gemm_simd(SimdLevel level, int M, int N, int K, const float* A, int lda, bool ta, const float* B, int ldb,
               bool tb, float* C, int ldc, bool accumulate, const float* bias) {
    const bool narrow = level == kAvx512 && N <= kNR512Narrow;
    const int NR = narrow ? kNR512Narrow : level == kAvx512 ? kNR512 : kNR256;
    const TileFn* tiles = narrow ? kTilesAvx512Narrow : level == kAvx512 ? kTilesAvx512 : kTilesAvx2;
    const int KC = level == kAvx512 ? kc_avx512() : kKC256;
    // B is packed into contiguous panels, except when few rows of A use it (decoding a few tokens at a
    // time): then the full panels are read in place and only a ragged last panel is packed.
    const int np = (N + NR - 1) / NR;
    // A weight gradient (op(A) transposed) with one or two row blocks packs B as it goes: in each block
    // of K, the first tile of a full panel reads the panel's slice in place and also stores it to
    // `slice`, and the panel's other tiles read that copy. (Every tile reading B in place was slower,
    // 99 against 117-122 GFLOP/s at preset a's MLP: B's rows 2 KiB apart fall into a few of L1's sets.
    // Packed up front, B, 2048 rows of output gradients, was written out past L2 and read back: 15% of
    // preset a's weight gradients, 156-176 GFLOP/s at M = 128, 173-188 packed as it goes, and 2 ms less
    // of preset a's training step.) With more row blocks each reads B in place again: 4-5% slower at
    // M = 2048, so they pack up front.
    //
    // On two threads each thread's share of the row blocks counts, and up to three each pack as they
    // go: preset b's weight gradients (M = 256) ran at 305-325 GFLOP/s on two threads packed up front
    // (1.6-1.7x one thread) and at 373-389 packed as they go; preset c's (M = 512) 330-352 -> 341-381.
    const int threads = region_threads();
    const bool fused_pack = ta && !tb && level == kAvx512 && !narrow && M <= (threads > 1 ? 3 : 2) * kMC * threads;
    const bool direct = !tb && (fused_pack || (!ta && M <= 128));
    thread_local std::vector<float> packed;
    int packed_from = 0;  // first panel that lives in `packed`
    if (direct) {
        packed_from = N / NR;
        if (packed_from < np) pack_b(K, N - packed_from * NR, NR, B + packed_from * NR, ldb, false, packed);
    } else {
        pack_b(K, N, NR, B, ldb, tb, packed);
    }
    // (The pointer is taken here: inside the parallel region `packed` would name each thread's own.)
    const float* packed_data = packed.data();
    auto panel_of = [&](int jp, size_t* bs) -> const float* {
        if (jp >= packed_from) {
            *bs = NR;
            return packed_data + (size_t)(jp - packed_from) * panel_stride(K, NR);
        }
        *bs = (size_t)ldb;
        return B + (size_t)jp * NR;
    };
    // A panel read in place whose rows are a multiple of 2 KiB apart (ldb a multiple of 512: the head and
    // the MLP's first layer while sampling) has all of them in one or two of L1's 64 sets, so each tile
    // fetched the panel again from L2: the panel is first copied into a contiguous buffer when it is one
    // block of K and more than four tiles read it.
    const bool copy_slices = direct && !ta && ldb % 512 == 0 && K <= KC && M > 4 * kMR;
    const size_t rs = ta ? 1 : (size_t)lda, ps = ta ? (size_t)lda : 1;
    // Op(A) goes into micro-panels when transposed (see pack_a_t), or when K is long and B is wide enough
    // to reuse the copy many times: then A's MR row streams, each a new cache line every 16 steps, cost
    // more than one copy (preset c, K = 2048 and 8192, N = 512: 81 -> 91 GFLOP/s; with N = 128 the copy
    // made it slower, 106 -> 89; both measured with 32-column panels, so the rule is in columns).
    const bool pack_a = ta || (K > 128 && N >= 256);
    // Row blocks of near-equal size: the tiles of MR rows are dealt out evenly, at most MC / MR to a
    // block. (Blocks of MC rows and a remainder, 96 and 32 rows when M = 128, gave one thread three
    // times the other's work in every weight gradient of a width-128 model.)
    const int ntiles = (M + kMR - 1) / kMR;
    int nmb = (M + kMC - 1) / kMC;
    // A few row blocks are made a multiple of the threads, so that no block's strip is packed by two
    // threads (with three blocks of a 256-row weight gradient on two threads, the middle one was).
    if (threads > 1 && nmb < 4 * threads && nmb % threads != 0) nmb = std::min(ntiles, nmb + threads - nmb % threads);
    auto block_start = [&](int mb) { return std::min(M, kMR * (int)((long)mb * ntiles / nmb)); };
    // Work items: a row block and a group of panels. Within an item the blocks of K are the outer loop:
    // a KC-step slice of the strip (MC x KC) stays in L2 while every panel of the group passes it, and
    // each tile's sums wait in `acc` between slices. (With the panels outside, the whole MC x K strip was
    // read again for each panel, from L3 once K >= 2048: the weight gradients ran at 0.6-0.7 of
    // OpenBLAS on AVX2.) Groups are as few as the sums' buffer allows, and then as many as it takes to
    // deal the items out evenly to the threads: each item packs its strip again unless the thread's
    // previous item had the same row block (9.5% of the Terminator's training time with four groups
    // per row block, against 2.6% with one).
    const int max_group = level == kAvx512 ? 1 : kAccFloats / (kMC * NR);
    int ngroups = (np + max_group - 1) / max_group;
    while (threads > 1 && ngroups < np && (nmb * ngroups) % threads != 0 && nmb * ngroups < 8 * threads) ngroups++;
    auto group_start = [&](int g) { return (int)((long)g * np / ngroups); };
    parallel_ranges((long)nmb * ngroups, threads, [&](long item0, long item1) {
        // When pack_a, each thread packs its MC-row strip of op(A) once and reuses it for every group of
        // panels. Same values in the same order: the bits do not change.
        thread_local std::vector<float> strip, acc, slice;  // acc: the MC x NR sums of each panel of the group
        int strip_mb = -1;
        for (long item = item0; item < item1; item++) {
            const int mb = (int)(item / ngroups), g = (int)(item % ngroups);
            const int jp0 = group_start(g), jp1 = group_start(g + 1);
            const int i0 = block_start(mb), mc = block_start(mb + 1) - i0;
            const float* a0 = A + (size_t)i0 * rs;
            // The tile of rows r0.. (a multiple of MR) starts at a0 + (r0 / MR) a_tile: MR rows of A
            // in place, one micro-panel when packed.
            size_t a_rs = rs, a_ps = ps, a_tile = kMR * rs;
            if (pack_a) {
                if (strip_mb != mb) {
                    grow(strip, a_panel_stride(K) * ((mc + kMR - 1) / kMR));  // whole micro-panels
                    if (ta) pack_a_t(K, mc, A, lda, i0, strip.data());
                    else pack_a_n(K, mc, A, lda, i0, strip.data());
                    strip_mb = mb;
                }
                a0 = strip.data();
                a_rs = 1;
                a_ps = (size_t)kMR;
                a_tile = a_panel_stride(K);
            }
            grow(acc, (size_t)(jp1 - jp0) * kMC * NR);
            for (int kb = 0; kb < K || kb == 0; kb += KC) {
                const int kc = std::min(KC, K - kb);
                const bool last = kb + kc >= K;
                for (int jp = jp0; jp < jp1; jp++) {
                    const int j0 = jp * NR, nc = std::min(NR, N - j0);
                    size_t bs;
                    const float* panel = panel_of(jp, &bs) + (size_t)kb * bs;
                    const bool pack_here = fused_pack && bs != (size_t)NR;  // a full panel, read in place
                    if (pack_here) grow(slice, (size_t)kc * NR);
                    if (copy_slices && bs != (size_t)NR) {
                        grow(slice, (size_t)kc * NR);
                        for (int p = 0; p < kc; p++) copy_panel_row(slice.data() + (size_t)p * NR, panel + (size_t)p * bs, NR);
                        panel = slice.data();
                        bs = NR;
                    }
                    float* pacc = acc.data() + (size_t)(jp - jp0) * kMC * NR;
                    for (int r0 = 0; r0 < mc; r0 += kMR) {
                        const int mr = std::min(kMR, mc - r0);
                        const Epilogue ep{C + (size_t)(i0 + r0) * ldc + j0, (size_t)ldc, nc, accumulate,
                                          bias ? bias + j0 : nullptr};
                        const float* a = a0 + (size_t)(r0 / kMR) * a_tile + (size_t)kb * a_ps;
                        const Epilogue* e = last ? &ep : nullptr;
                        if (!pack_here) tiles[mr](kc, a, a_rs, a_ps, panel, bs, pacc + r0 * NR, kb > 0, e, nullptr);
                        else if (r0 == 0) kTilesAvx512Pack[mr](kc, a, a_rs, a_ps, panel, bs, pacc, kb > 0, e, slice.data());
                        else tiles[mr](kc, a, a_rs, a_ps, slice.data(), NR, pacc + r0 * NR, kb > 0, e, nullptr);
                    }
                }
                if (K == 0) break;
            }
        }
    });
}
#endif

}  // namespace

#if WG_HAVE_SIMD
WG_AVX2 static void column_chunk_avx2(float* acc, const float* x, int M, int ld, int n) {
    int o = 0;
    if (n == 64) {  // a whole chunk in registers: each row's 64 floats read once, as one stream
        __m256 a[8];
        for (int h = 0; h < 8; h++) a[h] = _mm256_loadu_ps(acc + 8 * h);
        for (int m = 0; m < M; m++)
            for (int h = 0; h < 8; h++) a[h] = _mm256_add_ps(a[h], _mm256_loadu_ps(x + (size_t)m * ld + 8 * h));
        for (int h = 0; h < 8; h++) _mm256_storeu_ps(acc + 8 * h, a[h]);
        return;
    }
    for (; o + 8 <= n; o += 8) {
        __m256 a = _mm256_loadu_ps(acc + o);
        for (int m = 0; m < M; m++) a = _mm256_add_ps(a, _mm256_loadu_ps(x + (size_t)m * ld + o));
        _mm256_storeu_ps(acc + o, a);
    }
    for (; o < n; o++)
        for (int m = 0; m < M; m++) acc[o] = acc[o] + x[(size_t)m * ld + o];
}
#endif

void column_sums_add(float* out, const float* x, int M, int N) {
    parallel_ranges((N + 63) / 64, N >= 128 ? region_threads() : 1, [&](long k0, long k1) {
        for (int o0 = 64 * (int)k0; o0 < N && o0 < 64 * k1; o0 += 64) {
            float acc[64] = {0};
            const int n = std::min(64, N - o0);
#if WG_HAVE_SIMD
            if (active_simd() >= kAvx2) {
                column_chunk_avx2(acc, x + o0, M, N, n);
            } else
#endif
            {
                for (int m = 0; m < M; m++)
                    for (int o = 0; o < n; o++) acc[o] = acc[o] + x[(size_t)m * N + o0 + o];
            }
            for (int o = 0; o < n; o++) out[o0 + o] = out[o0 + o] + acc[o];
        }
    });
}

void gemm_t(int M, int N, int K, const float* A, int lda, bool ta, const float* B, int ldb, bool tb, float* C, int ldc,
            bool accumulate, const float* bias) {
    if (M <= 0 || N <= 0) return;
    if (backend() == Backend::OpenBlas) return gemm_openblas(M, N, K, A, lda, ta, B, ldb, tb, C, ldc, accumulate, bias);
#if WG_HAVE_SIMD
    if (SimdLevel level = active_simd(); level != kNone)
        return gemm_simd(level, M, N, K, A, lda, ta, B, ldb, tb, C, ldc, accumulate, bias);
#endif
    gemm_scalar(M, N, K, A, lda, ta, B, ldb, tb, C, ldc, accumulate, bias);
}

void gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc, bool accumulate,
          const float* bias) {
    gemm_t(M, N, K, A, lda, false, B, ldb, false, C, ldc, accumulate, bias);
}

#if WG_HAVE_SIMD
// 8 x 8 blocks transposed in registers (unpack, shuffle, then swap the 128-bit halves); returns the
// columns it covered, a multiple of 8, for every row block of 8. The attention transposes a head's
// operands this way (a scalar transpose was 30% of preset c's attention backward).
WG_AVX2 static int transpose_avx2(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
    const int r8 = rows & ~7, c8 = cols & ~7;
    for (int i = 0; i < r8; i += 8)
        for (int j = 0; j < c8; j += 8) {
            __m256 r[8], t[8], u[8];
            for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(src + (size_t)(i + k) * lds + j);
            for (int k = 0; k < 8; k += 2) {
                t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
                t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
            }
            for (int k = 0; k < 8; k += 4) {
                u[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
                u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
                u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
                u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
            }
            for (int k = 0; k < 4; k++) {
                _mm256_storeu_ps(dst + (size_t)(j + k) * ldd + i, _mm256_permute2f128_ps(u[k], u[k + 4], 0x20));
                _mm256_storeu_ps(dst + (size_t)(j + k + 4) * ldd + i, _mm256_permute2f128_ps(u[k], u[k + 4], 0x31));
            }
        }
    return c8;
}
#endif

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
    const int r0 = rows & ~7;
    int c0 = 0;  // columns [0, c0) of rows [0, r0) are done
#if WG_HAVE_SIMD
    if (active_simd() >= kAvx2) c0 = transpose_avx2(rows, cols, src, lds, dst, ldd);
#endif
    auto plain = [&](int i0, int i1, int j0, int j1) {
        constexpr int kB = 32;  // blocks keep both sides in cache
        for (int ib = i0; ib < i1; ib += kB)
            for (int jb = j0; jb < j1; jb += kB)
                for (int i = ib; i < std::min(i1, ib + kB); i++)
                    for (int j = jb; j < std::min(j1, jb + kB); j++) dst[(size_t)j * ldd + i] = src[(size_t)i * lds + j];
    };
    plain(0, r0, c0, cols);     // the ragged columns of the rows done in blocks
    plain(r0, rows, 0, cols);   // the ragged rows
}

void matmul_forward(float* out, const float* inp, const float* W, const float* bias, int M, int IN,
                    int OUT) {
    gemm(M, OUT, IN, inp, IN, W, OUT, out, OUT, false, bias);
}

void matmul_backward(float* dinp, float* dW, float* dbias, const float* dout, const float* inp,
                     const float* W, int M, int IN, int OUT) {
    // dinp[m][i] = sum_o dout[m][o] W[i][o]: a chain over o, with op(B) = W^T.
    if (dinp) gemm_t(M, IN, OUT, dout, OUT, false, W, OUT, true, dinp, IN, false);
    // dW[i][o] += sum_m inp[m][i] dout[m][o]: a chain over the rows m, with op(A) = inp^T.
    if (dW) gemm_t(IN, OUT, M, inp, IN, true, dout, OUT, false, dW, OUT, true);
    if (dbias) column_sums_add(dbias, dout, M, OUT);
}

}  // namespace wg::kernels
