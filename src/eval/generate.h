// Seeded sampling with a KV cache, and exact scoring of given completions.
//
// Sampling: sample i draws its k-th token from Rng(seed, i) index k, and every row of every matrix
// product is computed alone (kernels.h), so sample i is the same bytes whatever the batch it runs in.
// Scoring: the summed log-probability of the completion's tokens after the prompt.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "model/gpt.h"

namespace wg {

// The head's weight transposed (C x vocab), so that a decoding step reads it in place. Built once per
// model and shared by the decoders of an evaluation (each decoder transposing it again was 5% of the
// Terminator's evaluation time).
struct TransposedHead {
    explicit TransposedHead(const GPT& model);
    std::vector<float> w;
};

// Incremental decoding with a KV cache: each call feeds tokens to the listed sequences and returns
// the logits after each.
struct Decoder {
    // head: the model's TransposedHead, or null to build one.
    Decoder(const GPT& model, int n_seq, int capacity, const TransposedHead* head = nullptr);
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;
    // Feeds tokens[i] to sequence seqs[i] at its next position; logits: n x vocab. A sequence named
    // by several rows takes them as consecutive positions, in row order (a prompt fed at once).
    void step(const int* seqs, const int* tokens, int n, float* logits);
    // Sequence `to` gets a copy of sequence `from`'s cache (a shared prompt is computed once).
    void copy(int from, int to);
    int length(int seq) const { return len_[seq]; }

  private:
    const GPT& g_;
    int n_seq_, cap_;
    // Per layer and sequence: keys dimension-major [C][cap] (attend_one reads eight keys at once),
    // values [cap][C]. Not zeroed: a position is written before it is read. The memory is the
    // thread's reused cache (see generate.cpp), or own_kv_ when another decoder of the thread has it.
    float *k_, *v_;
    std::unique_ptr<float[]> own_kv_;
    std::vector<int> len_;
    std::unique_ptr<TransposedHead> own_head_;  // when none was given
    const TransposedHead* head_;
};

struct SampleOptions {
    int n = 1;               // samples
    int max_new = 32;        // tokens per sample at most
    float temperature = 1.0f;
    int top_k = 0;           // 0 = the whole vocabulary
    uint64_t seed = 0;
    int first_index = 0;     // global index of the first sample (its RNG stream)
    int stop_token = 4;      // END
};

// Returns n token sequences (without the prompt, without the stop token).
std::vector<std::vector<int>> sample(const GPT& model, const std::vector<int>& prompt, const SampleOptions& o);
// Several prompts at once, decoded in one batch (larger matrix products); each sample is the same
// bytes as when its prompt is sampled alone.
struct SampleJob {
    std::vector<int> prompt;
    SampleOptions o;
};
std::vector<std::vector<std::vector<int>>> sample_many(const GPT& model, const std::vector<SampleJob>& jobs,
                                                       const TransposedHead* head = nullptr);
// Draws one token from logits (V) with temperature and top-k, using uniform u in [0, 1).
int draw_token(const float* logits, int V, float temperature, int top_k, float u);
// The same in two halves, for many draws from one set of logits: prepare() computes the softmax's
// running sums once; draw(u) gives exactly the token draw_token would.
struct TokenDistribution {
    void prepare(const float* logits, int V, float temperature, int top_k);
    int draw(float u) const;

  private:
    bool greedy_ = false;
    int argmax_ = 0;
    float total_ = 0;
    std::vector<int> ids_;    // candidates in vocabulary order
    std::vector<float> cum_;  // running sums of their exp((z - max) / T)
};

// log P(completion | prompt) for each completion, summed over its tokens. The completions are decoded
// as one prefix tree (their shared beginnings are computed once) with the KV cache.
std::vector<double> score(const GPT& model, const std::vector<int>& prompt,
                          const std::vector<std::vector<int>>& completions, const TransposedHead* head = nullptr);

}  // namespace wg
