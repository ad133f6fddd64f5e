// One checkpoint file holds a model's config, its tensors, the tokenizer it reads with, the run
// config, free-form metadata (what it was trained from), and optionally the optimizer state and the
// data position so that training resumes exactly. It ends with the XXH3-64 of every byte before it.
// Written to a temporary file, synced and renamed; a truncated, altered or foreign file is refused
// with one line naming the file and the reason.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/gpt.h"
#include "text/tokenizer.h"

namespace wg {

struct TrainState {
    bool present = false;
    int64_t step = 0;    // optimizer steps done
    uint64_t seed = 0;   // the run's seed (batching and dropout-free: nothing else is random)
    int64_t epoch = 0;   // data position: epoch and next row within it
    int64_t cursor = 0;
    std::vector<float> m, v;  // AdamW moments, one per parameter
};

struct Checkpoint {
    ModelConfig cfg;
    std::vector<Tensor> tensors;
    std::vector<float> params;
    std::string tokenizer;    // Tokenizer::serialize()
    std::string config_text;  // the run config TOML
    std::map<std::string, std::string> meta;
    TrainState train;
};

void save_checkpoint(const std::string& path, const GPT& model, const std::string& tokenizer_blob,
                     const std::string& config_text, const std::map<std::string, std::string>& meta,
                     const TrainState* train);
Checkpoint load_checkpoint(const std::string& path);
// The same from bytes in memory; `path` only names the source in errors.
Checkpoint parse_checkpoint(std::string_view bytes, const std::string& path);
// The model a checkpoint holds (layout checked against its config).
GPT model_from(const Checkpoint& ck, const std::string& path);

// A checkpoint ready to ask questions: the model and the tokenizer stored with it.
struct LoadedModel {
    GPT model;
    Tokenizer tok;
};
LoadedModel load_model(const std::string& path);

}  // namespace wg
