// The training loop shared by pretraining and finetuning: batches from a Batcher, forward, backward,
// global-norm clipping, AdamW with decoupled weight decay, the warm-up + cosine schedule, progress,
// periodic checkpoints with the optimizer state and the data position (so a killed run resumes to
// the same bytes), and a clear stop when the loss stops being a number.
#pragma once
#include <map>
#include <string>

#include "model/checkpoint.h"
#include "model/gpt.h"
#include "train/data.h"

namespace wg {

struct TrainOptions {
    std::string label = "train";
    std::string checkpoint_path;  // where periodic checkpoints go ("" = none)
    std::string tokenizer_blob, config_text;
    std::map<std::string, std::string> meta;
    bool quiet = false;
    int64_t stop_at = 0;  // > 0: return once this many steps are done (tests use it to stand for a kill)
    // > 0: also write the run's state after this many steps to snapshot_path (a checkpoint that can be
    // resumed). `reproduce` keeps a pretraining's early snapshot so that a golden check can retrain just
    // those steps and compare bytes, instead of the whole run.
    int64_t snapshot_at = 0;
    std::string snapshot_path;
};

struct TrainSummary {
    int64_t steps = 0;
    float first_loss = 0, last_loss = 0;
    double seconds = 0, tokens_per_s = 0;
};

// Total optimizer steps of a run: tc.steps, or tc.epochs passes over the data.
int64_t total_steps(const TrainConfig& tc, Batcher& data);
// Trains from st (fresh when !st.present) to total_steps; st holds the final optimizer state.
TrainSummary train(GPT& model, const TrainConfig& tc, Batcher& data, TrainState& st, const TrainOptions& opt);

}  // namespace wg
