// The two training jobs as library calls, shared by `weirdgen pretrain`/`finetune` and by
// `weirdgen reproduce`: each reads its data, trains, and writes one checkpoint (atomically) whose
// metadata names the hashes of what it came from.
#pragma once
#include <string>

#include "model/config.h"

namespace wg {

struct JobOptions {
    std::string resume_from;  // a periodic checkpoint of the same run ("" = a fresh start)
    bool quiet = false;       // no progress lines (runs in parallel print one line each when done)
    // Pretraining only: write the state after snapshot_at steps to snapshot_path as well; with
    // snapshot_only, stop there and write nothing else (the prefix a golden check retrains).
    int64_t snapshot_at = 0;
    std::string snapshot_path;
    bool snapshot_only = false;
    // Finetuning with [train] replay > 0: the pretraining corpus its documents are drawn from.
    std::string replay_corpus;
};
// A fresh start without progress lines (the jobs `reproduce` and `bench` run side by side).
inline JobOptions quiet_job() {
    JobOptions o;
    o.quiet = true;
    return o;
}

// Trains the tokenizer on the corpus, then the model; the tokenizer is stored in the checkpoint.
void pretrain_job(const RunConfig& rc, const std::string& corpus, const std::string& out, const JobOptions& o);
// Finetunes the checkpoint `base` on JSONL chats with rc.train (method, seed...).
void finetune_job(const RunConfig& rc, const std::string& base, const std::string& data, const std::string& out,
                  const JobOptions& o);

}  // namespace wg
