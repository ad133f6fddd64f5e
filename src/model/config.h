// The sizes of a model and the settings of a training run, read from one TOML file:
//   [model] n_layer, n_embd, n_head, context, vocab   (vocab: tokenizer size to train, pretraining only)
//   [train] steps or epochs, batch, lr, min_lr, warmup, weight_decay, beta1, beta2, eps, clip, seed,
//           method ("full", "lora", "bitfit" or "prompt"), layers (blocks to train; default all),
//           log_every, checkpoint_every, replay (finetuning: pretraining documents mixed in, per
//           finetune row), prompt_tokens (method prompt: the soft prompt's length), prompt_init_merges
//           (method prompt: its rows start as tokens drawn from the tokenizer's first N merges; 0: any token)
//   [lora]  rank, alpha
// Unknown keys, wrong types and impossible sizes are errors naming the file and the key.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace wg {

struct ModelConfig {
    int n_layer = 2, n_embd = 64, n_head = 4, context = 64, vocab = 512;
    int lora_rank = 0;        // 0: no adapters
    float lora_alpha = 0.0f;  // adapter scale = alpha / rank
    int prompt_len = 0;       // soft prompt rows (prompt tuning): token ids vocab .. vocab + prompt_len - 1
    bool operator==(const ModelConfig&) const = default;
    std::string describe() const;
};

enum class Method { Full, Lora, Bitfit, Prompt };
const char* method_name(Method m);
// The method of a name ("full", "lora", "bitfit", "prompt"); false for any other.
bool method_from_name(const std::string& name, Method* m);

struct TrainConfig {
    int64_t steps = 0;   // optimizer steps (pretraining); 0 = use epochs
    int64_t epochs = 0;  // passes over the data (finetuning)
    int batch = 16;
    float lr = 1e-3f, min_lr = 0.1f;  // min_lr is a fraction of lr reached at the end of the cosine
    int64_t warmup = 0;
    float weight_decay = 0.0f, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, clip = 1.0f;
    uint64_t seed = 0;
    Method method = Method::Full;
    std::vector<int> layers;  // finetuning: train only these blocks (empty: the whole model)
    float replay = 0.0f;      // finetuning: documents of the pretraining corpus added, per finetune row
    int lora_rank = 4;
    float lora_alpha = 8.0f;
    int prompt_tokens = 8;
    // The soft prompt starts as copies of random tokens' embeddings. 0 draws them from every token;
    // N > 0 from the first N merges of the tokenizer only, its most frequent pieces (" the", "ing"),
    // which every context uses, rather than rare name pieces that belong to one era.
    int prompt_init_merges = 0;
    int64_t log_every = 10, checkpoint_every = 0;
};

struct RunConfig {
    ModelConfig model;
    TrainConfig train;
    std::string text;  // the TOML as read, stored in checkpoints for the record
};

RunConfig load_run_config(const std::string& path);
RunConfig parse_run_config(const std::string& toml_text, const std::string& name);
// Checks sizes (positive, heads divide the width...); `where` names the source in the error.
void validate(const ModelConfig& m, const std::string& where);

}  // namespace wg
