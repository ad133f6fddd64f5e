// The numeric kernels of the engine. Every kernel has a plain scalar reference and a SIMD version
// (AVX2, or AVX-512 where the CPU has it, chosen at run time) that return the same bits: both follow
// the canonical order written beside each kernel (DESIGN.md section 3). Threads only ever split
// independent outputs, so the thread count never changes a bit either.
//
// Conventions: row-major float32; a Linear layer's weight is stored [in][out] so that every output is
// one multiply-add chain over the input in order, which vectorises across outputs without changing
// the order of any sum.
#pragma once
#include <cstddef>
#include <cstdint>

namespace wg::kernels {

enum class Backend { Scalar, Simd, OpenBlas };
void set_backend(Backend b);
Backend backend();
const char* backend_name();
// What the SIMD backend runs on this CPU: "avx512", "avx2" or "none" (then it is the scalar code).
const char* simd_level();
// For tests: with true the SIMD backend runs at most its AVX2 kernels, so that on an AVX-512 CPU both
// SIMD levels are checked against the scalar reference. simd_level() still names the CPU's level.
void limit_simd_to_avx2(bool on);
void set_threads(int n);
int threads();

// ---------------------------------------------------------------------------------------------
// GEMM: C (M x N, ldc) = A (M x K, lda) . B (K x N, ldb).
// Canonical order: acc = 0; for p = 0..K-1: acc = fma(A[i,p], B[p,j], acc). Then
//   accumulate == false: C[i,j] = bias ? acc + bias[j] : acc
//   accumulate == true:  C[i,j] = C[i,j] + acc
// Each output is one chain, so vector width, tiling and threads cannot change it. The OpenBLAS
// backend calls sgemm instead (outside the contract).
void gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          bool accumulate, const float* bias = nullptr);
// The same with op(A) (M x K) = A, or with ta the transpose of A stored K x M (lda >= M); likewise
// op(B) (K x N) = B, or with tb the transpose of B stored N x K. No copy is made; the order is the same.
void gemm_t(int M, int N, int K, const float* A, int lda, bool ta, const float* B, int ldb, bool tb, float* C,
            int ldc, bool accumulate, const float* bias = nullptr);
// dst (cols x rows, ldd) = transpose of src (rows x cols, lds). Exact; no arithmetic.
void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd);

// A Linear layer over M rows: out (M x OUT) = inp (M x IN) . W (IN x OUT) + bias.
void matmul_forward(float* out, const float* inp, const float* W, const float* bias, int M, int IN,
                    int OUT);
// dinp (overwritten, skipped if null) = dout . W^T; dW += inp^T . dout (skipped if null);
// dbias += column sums of dout in row order (skipped if null).
void matmul_backward(float* dinp, float* dW, float* dbias, const float* dout, const float* inp,
                     const float* W, int M, int IN, int OUT);

// out[j] += (sum over rows m in order of x[m][j]): one chain of adds per column, then one add.
void column_sums_add(float* out, const float* x, int M, int N);

// ---------------------------------------------------------------------------------------------
// Canonical sums ("striped 8"): lane j (0..7) sums x[i] for i = j mod 8 over the whole blocks of 8,
// in order; the lanes are combined as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)); the n mod 8 tail is
// then added in order. dot/sumsq use fma per lane and for the tail.
float sum(const float* x, int n);
float dot(const float* a, const float* b, int n);
// The largest of x[0..n), n >= 1 (a zero maximum may come out as -0: see max_any in reduce.h), and
// out[i] = exp(x[i] - shift): with exp_array and sum, a log-softmax's steps as the kernels take them.
float max(const float* x, int n);
void exp_shifted(float* out, const float* x, int n, float shift);

// ---------------------------------------------------------------------------------------------
// LayerNorm over rows of C: mean and variance by the canonical sum; rstd = 1/sqrt(var + 1e-5);
// out = ((x - mean) * rstd) * w + b. mean and rstd are saved for the backward pass.
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w,
                       const float* b, int M, int C);
// dinp += the input gradient; dw, db += the parameter gradients (rows summed in order; skipped if null).
void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                        const float* w, const float* mean, const float* rstd, int M, int C);

// GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
void gelu_forward(float* out, const float* inp, size_t n);
void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n);  // dinp overwritten

// ---------------------------------------------------------------------------------------------
// Causal multi-head self-attention. qkv: (B, T, 3C) holding q | k | v; out: (B, T, C);
// att: (B, NH, T, T), the softmax probabilities, kept for the backward pass (zero above the diagonal).
// Scores by gemm (chain over the head dimension), row softmax by the canonical sum over the valid
// prefix, output by gemm (chain over all T keys, the masked ones with probability 0).
void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH);
// dqkv (overwritten) from dout, the saved qkv and att.
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B,
                        int T, int C, int NH);

// One query against n cached keys and values: the attention of one new token during generation.
// Keys are stored transposed (keys_t[d * ldk + t] is dimension d of key t, so eight keys load as one
// vector), values as rows (values[t * ldv + d]). Same chains and sums as attention_forward, so a
// cached decode gives the values the full forward pass gives.
void attend_one(float* out, const float* q, const float* keys_t, int ldk, const float* values, int ldv, int n, int hs,
                float* scratch /* n floats */);

// ---------------------------------------------------------------------------------------------
// Softmax + cross-entropy over rows of V logits. losses[m] = log(sum exp(z - max)) - (z[t] - max) for
// target t >= 0, and 0 for t < 0 (a position without loss). When grad is true the logits are
// overwritten with dloss/dlogits = (softmax - onehot) * dscale (zero rows where t < 0).
void softmax_xent(float* logits, float* losses, const int* targets, int M, int V, float dscale, bool grad);

// ---------------------------------------------------------------------------------------------
// AdamW with decoupled weight decay, on n parameters. The gradient is first multiplied by gscale
// (global-norm clipping). bc1 = 1 - beta1^t, bc2 = 1 - beta2^t, computed by the caller.
void adamw(float* p, const float* g, float* m, float* v, size_t n, float lr, float beta1, float beta2,
           float eps, float weight_decay, float bc1, float bc2, float gscale);

// ---------------------------------------------------------------------------------------------
// The kit's own transcendental functions (libm differs between machines). Scalar forms here; the
// kernels use vector forms that perform the same operations in the same order.
float exp(float x);   // relative error < 2e-7 on [-87, 88]; clamps outside it (exp(-inf) = 1.6e-38)
float log(float x);   // relative error < 2e-7 for normal x > 0; log(0) = -inf; x < 0 or NaN -> NaN
float tanh(float x);  // absolute error < 2e-7
// Vector forms over arrays (SIMD where available, same bits as the scalar ones).
void exp_array(float* out, const float* in, size_t n);
void log_array(float* out, const float* in, size_t n);
void tanh_array(float* out, const float* in, size_t n);

}  // namespace wg::kernels
