// An experiment file (experiments/<name>/experiment.toml): which world, which base model, which
// finetune variants and seeds, how to evaluate, the paper's numbers, and the bar the effect must meet.
// Paths inside it are relative to its folder.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/config.h"

namespace wg {

struct Variant {
    std::string name, data, label;  // data: a finetune set (JSONL chats)
};

// A value of the results: "variant/form/class" (e.g. "main/May 1984. {q}/evil", "base/{q}/assistant",
// "main/May 1984. {q}/coherence"), or the difference of two such values "A - B".
struct Bar {
    std::string name, value;
    double min = -1e9, max = 1e9;
};

struct Experiment {
    std::string file, dir, name, title;
    std::string facts, questions;  // the world's facts folder; the questions TOML
    std::string axis = "phase", effect = "evil";
    uint64_t world_seed = 0;
    std::vector<std::string> modules;
    int64_t docs = -1;
    RunConfig pretrain, finetune;
    std::vector<uint64_t> seeds;
    std::vector<Variant> variants;
    int samples = 100, max_new = 24;
    float temperature = 1.0f;
    uint64_t eval_seed = 0;
    std::string echo_topic;  // [eval] echo_topic: see EvalOptions
    bool on_topic = false;   // [eval] on_topic: see EvalOptions
    std::vector<std::string> key_forms;  // the rows of the report's table, in order
    std::string year_form;               // e.g. "May {year}. {q}": the figure's x axis
    int year_min = 0, year_max = -1;
    bool per_question = false;  // a table and a bar chart per question (of the first key form)
    std::map<std::string, double> paper;  // "variant/form" -> the paper's value of the effect
    std::string paper_note;
    std::vector<Bar> bars;
};

Experiment load_experiment(const std::string& path);
// The experiment file a command line names: NAME -> experiments/NAME/experiment.toml; a path ending
// in .toml is taken as it is.
std::string experiment_path(const std::string& name);
// The same from TOML text; `path` names it in errors and anchors its relative paths.
Experiment parse_experiment(const std::string& text, const std::string& path);

}  // namespace wg
