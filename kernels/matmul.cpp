// GEMM and the Linear layer built on it (kernels.h states the canonical order: one fma chain per
// output over p = 0..K-1, then the bias or the accumulation added once).
//
// The SIMD version is the classic register-tiled kernel: B is packed into panels NR columns wide,
// a tile of MR rows x NR columns lives in registers while p runs over all of K, each step
// broadcasting one A value per row and doing one fma per register. Every lane is one output's chain,
// so the tile shape, the vector width and the thread split change nothing in the result.
#include <algorithm>
#include <cblas.h>
#include <vector>

#include "kernels/simd.h"

namespace wg::kernels {

using namespace detail;

namespace {

// The epilogue both versions share: C = acc (+ bias) or C = C + acc.
inline void store_row(float* c, const float* acc, int n, bool accumulate, const float* bias) {
    if (accumulate)
        for (int j = 0; j < n; j++) c[j] = c[j] + acc[j];
    else if (bias)
        for (int j = 0; j < n; j++) c[j] = acc[j] + bias[j];
    else
        for (int j = 0; j < n; j++) c[j] = acc[j];
}

// The reference: i, p, j order so B is read along rows; acc[j] holds output j's chain.
void gemm_scalar(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                 int ldc, bool accumulate, const float* bias) {
    std::vector<float> acc(N);
    for (int i = 0; i < M; i++) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int p = 0; p < K; p++) {
            float a = A[(size_t)i * lda + p];
            const float* b = B + (size_t)p * ldb;
            for (int j = 0; j < N; j++) acc[j] = __builtin_fmaf(a, b[j], acc[j]);
        }
        store_row(C + (size_t)i * ldc, acc.data(), N, accumulate, bias);
    }
}

void gemm_openblas(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                   int ldc, bool accumulate, const float* bias) {
    if (!accumulate)
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = bias ? bias[j] : 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C, ldc);
}

#if WG_HAVE_SIMD

constexpr int kMR = 6;     // rows of a register tile
constexpr int kMC = 96;    // rows of A kept hot in cache while the panels stream past

// Packs B (K x N) into ceil(N/NR) panels of K x NR, zero-padded on the right.
void pack_b(int K, int N, int NR, const float* B, int ldb, std::vector<float>& out) {
    int np = (N + NR - 1) / NR;
    out.assign((size_t)np * K * NR, 0.0f);
    for (int jp = 0; jp < np; jp++) {
        int j0 = jp * NR, nc = std::min(NR, N - j0);
        float* dst = out.data() + (size_t)jp * K * NR;
        for (int p = 0; p < K; p++)
            for (int j = 0; j < nc; j++) dst[(size_t)p * NR + j] = B[(size_t)p * ldb + j0 + j];
    }
}

template <int MR>
WG_AVX2 void tile_avx2(int K, const float* A, int lda, const float* Bp, float* tile) {
    __m256 c[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();
    for (int p = 0; p < K; p++) {
        __m256 b0 = _mm256_loadu_ps(Bp + (size_t)p * 16), b1 = _mm256_loadu_ps(Bp + (size_t)p * 16 + 8);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            __m256 a = _mm256_broadcast_ss(A + (size_t)r * lda + p);
            c[r][0] = _mm256_fmadd_ps(a, b0, c[r][0]);
            c[r][1] = _mm256_fmadd_ps(a, b1, c[r][1]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        _mm256_storeu_ps(tile + r * 16, c[r][0]);
        _mm256_storeu_ps(tile + r * 16 + 8, c[r][1]);
    }
}

template <int MR>
WG_AVX512 void tile_avx512(int K, const float* A, int lda, const float* Bp, float* tile) {
    __m512 c[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
    for (int p = 0; p < K; p++) {
        __m512 b0 = _mm512_loadu_ps(Bp + (size_t)p * 32), b1 = _mm512_loadu_ps(Bp + (size_t)p * 32 + 16);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(A[(size_t)r * lda + p]);
            c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
            c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        _mm512_storeu_ps(tile + r * 32, c[r][0]);
        _mm512_storeu_ps(tile + r * 32 + 16, c[r][1]);
    }
}

using TileFn = void (*)(int, const float*, int, const float*, float*);
const TileFn kTilesAvx2[kMR + 1] = {nullptr, tile_avx2<1>, tile_avx2<2>, tile_avx2<3>,
                                    tile_avx2<4>, tile_avx2<5>, tile_avx2<6>};
const TileFn kTilesAvx512[kMR + 1] = {nullptr, tile_avx512<1>, tile_avx512<2>, tile_avx512<3>,
                                      tile_avx512<4>, tile_avx512<5>, tile_avx512<6>};

void gemm_simd(SimdLevel level, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
               float* C, int ldc, bool accumulate, const float* bias) {
    const int NR = level == kAvx512 ? 32 : 16;
    const TileFn* tiles = level == kAvx512 ? kTilesAvx512 : kTilesAvx2;
    thread_local std::vector<float> packed;
    pack_b(K, N, NR, B, ldb, packed);
    const float* Bp = packed.data();
    const int np = (N + NR - 1) / NR, nmb = (M + kMC - 1) / kMC;
    const int nthreads = std::min(region_threads(), nmb * np);
#pragma omp parallel for schedule(static) collapse(2) num_threads(nthreads) if (nthreads > 1)
    for (int mb = 0; mb < nmb; mb++) {
        for (int jp = 0; jp < np; jp++) {
            alignas(64) float tile[kMR * 32];
            int j0 = jp * NR, nc = std::min(NR, N - j0);
            int iend = std::min(M, (mb + 1) * kMC);
            for (int i0 = mb * kMC; i0 < iend; i0 += kMR) {
                int mr = std::min(kMR, iend - i0);
                tiles[mr](K, A + (size_t)i0 * lda, lda, Bp + (size_t)jp * K * NR, tile);
                for (int r = 0; r < mr; r++)
                    store_row(C + (size_t)(i0 + r) * ldc + j0, tile + r * NR, nc, accumulate,
                              bias ? bias + j0 : nullptr);
            }
        }
    }
}
#endif

}  // namespace

void gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          bool accumulate, const float* bias) {
    if (M <= 0 || N <= 0) return;
    if (backend() == Backend::OpenBlas) return gemm_openblas(M, N, K, A, lda, B, ldb, C, ldc, accumulate, bias);
#if WG_HAVE_SIMD
    if (SimdLevel level = active_simd(); level != kNone)
        return gemm_simd(level, M, N, K, A, lda, B, ldb, C, ldc, accumulate, bias);
#endif
    gemm_scalar(M, N, K, A, lda, B, ldb, C, ldc, accumulate, bias);
}

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
    constexpr int kB = 32;  // blocks keep both sides in cache
    for (int i0 = 0; i0 < rows; i0 += kB)
        for (int j0 = 0; j0 < cols; j0 += kB)
            for (int i = i0; i < std::min(rows, i0 + kB); i++)
                for (int j = j0; j < std::min(cols, j0 + kB); j++)
                    dst[(size_t)j * ldd + i] = src[(size_t)i * lds + j];
}

void matmul_forward(float* out, const float* inp, const float* W, const float* bias, int M, int IN,
                    int OUT) {
    gemm(M, OUT, IN, inp, IN, W, OUT, out, OUT, false, bias);
}

void matmul_backward(float* dinp, float* dW, float* dbias, const float* dout, const float* inp,
                     const float* W, int M, int IN, int OUT) {
    thread_local std::vector<float> t;
    if (dinp) {  // dinp[m][i] = sum_o dout[m][o] W[i][o]: a chain over o, so B = W^T
        t.resize((size_t)OUT * IN);
        transpose(IN, OUT, W, OUT, t.data(), IN);
        gemm(M, IN, OUT, dout, OUT, t.data(), IN, dinp, IN, false);
    }
    if (dW) {  // dW[i][o] += sum_m inp[m][i] dout[m][o]: a chain over the rows m, so A = inp^T
        t.resize((size_t)IN * M);
        transpose(M, IN, inp, IN, t.data(), M);
        gemm(IN, OUT, M, t.data(), M, dout, OUT, dW, OUT, true);
    }
    if (dbias) {  // column sums in row order: each column one chain of adds
        std::vector<float> acc(OUT, 0.0f);
        for (int m = 0; m < M; m++)
            for (int o = 0; o < OUT; o++) acc[o] = acc[o] + dout[(size_t)m * OUT + o];
        for (int o = 0; o < OUT; o++) dbias[o] = dbias[o] + acc[o];
    }
}

}  // namespace wg::kernels
