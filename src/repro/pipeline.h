// weirdgen reproduce <name>: world -> tokenizer + base model -> finetunes -> evaluations -> report ->
// golden check, each artifact cached under cache/ by the hash of everything it is made from, so a
// second run skips what is done and any change of input reruns exactly what depends on it.
#pragma once
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "repro/experiment.h"
#include "repro/results.h"
#include "world/world.h"

namespace wg {

struct ReproOptions {
    std::string cache = "cache", reports = "reports", golden;  // golden: "" = golden/<name>.toml
    bool seed_given = false;
    uint64_t seed = 0;  // --seed: the world's and the pretraining's seed
    int threads = 2;
    // A base checkpoint to use instead of pretraining (golden/<name>.base.ckpt in `make test`); it must
    // have been trained from this run's inputs, and the first kPrefixSteps are still retrained.
    std::string committed_base;
};

// Steps of a pretraining that are kept as a snapshot artifact, and retrained when a committed base
// stands in for the rest.
constexpr int64_t kPrefixSteps = 100;

struct Artifact {
    std::string name, path, hash;
};
struct StageTime {
    std::string name;
    double seconds = 0;
    std::string note;
};

struct ReproRun {
    Experiment exp;
    uint64_t seed = 0;
    bool default_seed = true;
    Results results;
    std::vector<Artifact> artifacts;
    std::vector<StageTime> stages;
    std::string report_dir;
};

// What the experiment file says about its world (generated with `seed`) and its evaluation; shared by
// the pipeline and `weirdgen bench --experiment`.
world::WorldOptions world_options(const Experiment& e, uint64_t seed);
EvalOptions eval_options(const Experiment& e, const LexiconTags* lexicon);
// The base model's training seed: the experiment file's own, or --seed when one was given (which sets
// the world's and the pretraining's seed alike).
uint64_t pretrain_seed(const ReproRun& run);
// True when the run uses the experiment's own world seed: the only run its golden file describes.
bool is_default_seed(const Experiment& e, const ReproOptions& o);
ReproRun run_pipeline(const Experiment& e, const ReproOptions& o);

}  // namespace wg
