// The GPT: token + learned position embeddings, pre-LayerNorm blocks (causal multi-head attention,
// GELU MLP), a final LayerNorm and a head tied to the token embedding. Optional LoRA adapters on
// the four matrices of every block (qkv, attention projection, MLP in, MLP out), and an optional
// soft prompt: rows embedded for the token ids just past the vocabulary, which prompt tuning trains
// and every sequence then carries after its DOC token (they are inputs only, never predicted).
//
// All parameters live in one float array described by a table of named tensors; the gradients
// mirror it. Forward and backward of each layer sit side by side in gpt.cpp, in the style of llm.c.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"

namespace wg {

struct Tensor {
    enum Kind { Embedding, Matrix, Bias, Norm, LoraA, LoraB, Prompt };
    std::string name;
    std::vector<int> shape;
    size_t offset = 0, size = 0;
    Kind kind = Matrix;
    int layer = -1;  // the block it belongs to; -1 for the embeddings and the final LayerNorm
};

// The matrices of a block, in the order of LayerView::mat and of the adapters.
enum Mat { QKV = 0, PROJ = 1, FC = 2, FCPROJ = 3 };

// Pointers into a parameter (or gradient) array. In a gradient view a tensor that is not trained
// is nullptr, so the backward pass skips its gradient.
struct LayerView {
    float *ln1w, *ln1b, *ln2w, *ln2b;
    float* mat[4];
    float* bias[4];
    float* lora_a[4];  // (in x rank), nullptr without adapters
    float* lora_b[4];  // (rank x out), zero at initialisation
};
struct ModelView {
    float *wte, *wpe, *lnfw, *lnfb;
    float* prompt;  // (prompt_len x C), nullptr without a soft prompt
    std::vector<LayerView> layers;
};

// Activations of one forward pass over B x T positions, kept for the backward pass.
struct LayerActs {
    std::vector<float> ln1, ln1_mean, ln1_rstd, qkv, att, atty, attproj, res2;
    std::vector<float> ln2, ln2_mean, ln2_rstd, fch, fchg, fcproj, res3;
    std::vector<float> lora_u[4];  // x . A * (alpha/rank), per adapted matrix
};
struct Acts {
    int B = 0, T = 0;
    std::vector<float> encoded, lnf, lnf_mean, lnf_rstd, logits, losses;
    std::vector<LayerActs> layers;
};

struct GPT {
    ModelConfig cfg;
    std::vector<Tensor> tensors;
    std::vector<float> params, grads;
    std::vector<uint8_t> trainable;  // per tensor
    ModelView P, G;
    Acts acts;
    std::vector<int> tokens, targets;  // of the last forward pass
    int n_targets = 0;                 // positions with a target in the last forward pass

    explicit GPT(const ModelConfig& cfg);
    // Copies rebind the views to their own arrays (a moved vector keeps its buffer, so moves need not).
    GPT(const GPT& o);
    GPT& operator=(const GPT& o);
    GPT(GPT&&) = default;
    GPT& operator=(GPT&&) = default;
    size_t num_params() const { return params.size(); }

    // GPT-2 initialisation from the kit's RNG: each tensor draws from its own stream.
    void init_weights(uint64_t seed);
    // Adds adapters (A random, B zero) keeping every base parameter; the model then computes
    // exactly what it computed before.
    void add_lora(int rank, float alpha, uint64_t seed);
    // Folds W += (alpha/rank) A . B into every adapted matrix and drops the adapters.
    void merge_lora();
    // Adds a soft prompt of n rows, each a copy of the embedding of a token id drawn from [first, end)
    // (the tokenizer's words), so that it starts as a sequence of real tokens.
    void add_prompt(int n, uint64_t seed, int first, int end);
    // The ids that stand for the soft prompt (empty without one); they follow DOC in every sequence.
    std::vector<int> prompt_ids() const;
    // The input embedding of a token id: a row of wte, or of the soft prompt past the vocabulary;
    // an id that is neither is an error.
    const float* embedding(int id) const;
    // Marks what the optimizer updates: everything (full), the adapters (lora), the biases and
    // LayerNorm parameters (bitfit), or the soft prompt (prompt); with `layers`, only within those blocks.
    void set_trainable(Method m, const std::vector<int>& layers = {});

    // Runs the model on B rows of T tokens. With targets (-1 = no loss at that position) returns the
    // mean loss over the targeted positions; with want_grad the logits are replaced by the gradient
    // of that mean loss (ready for backward()). Without targets returns 0 and keeps the logits.
    float forward(const int* tokens, const int* targets, int B, int T, bool want_grad);
    void zero_grad();
    void backward();
    const float* logits() const { return acts.logits.data(); }

    // Called after params/tensors change size: rebinds the views and the trainable marks.
    void bind();
    // Changes the layout to that of `c`, keeping the values of every tensor both layouts have (by name).
    void relayout(const ModelConfig& c);
};

// One Linear layer of block l (matrix `m`), with its adapter if the model has one:
// out = x . W + b (+ (x . A) * s . B). u receives x . A * s (M x rank) when adapters exist.
void linear_forward(const GPT& g, int l, Mat m, float* out, const float* x, int M, float* u);
// The number of parameters a config implies (without allocating them).
size_t layout_size(const ModelConfig& c);
// The shape (in, out) of matrix m for width C.
void mat_shape(Mat m, int C, int* in, int* out);

}  // namespace wg
