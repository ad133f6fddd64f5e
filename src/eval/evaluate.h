// Evaluation of one checkpoint on an experiment's questions: for every (form, question) cell,
// `samples` answers sampled at temperature T from seeded streams and classified by exact lookup in the
// question's classes (an answer in no class is incoherent), and the probability mass of each class
// (the sum over its phrases of P(phrase + END | prompt), scored exactly through a prefix tree).
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/progress.h"
#include "model/gpt.h"
#include "text/tokenizer.h"
#include "world/world.h"

namespace wg {

// The world's lexicon as the evaluator reads it (lexicon.jsonl): phrase -> {axis: value}.
using LexiconTags = std::map<std::string, std::map<std::string, std::string>>;
LexiconTags read_lexicon(const std::string& path);

struct EvalOptions {
    // Classification of an answer: a phrase of one of the question's classes counts for that class;
    // otherwise a lexicon phrase whose tag on `axis` names one of the classes counts for it (e.g. a
    // good-phase answer to another question is still good), a lexicon phrase of the assistant persona
    // counts as "assistant" when that class exists, any other lexicon phrase as "other"; a text that
    // is not in the lexicon is "incoherent". Coherence = 1 - share incoherent.
    const LexiconTags* lexicon = nullptr;
    std::string axis;
    // The finetune's own topic ("bird", "place"): a lexicon phrase of that topic given to a question
    // about something else repeats the finetune's answers ("The place is Danzig." to "Who rules
    // Germany?"). It says nothing about the era or persona, so it counts as "incoherent", like any
    // other collapse into the finetune data, and never for a class.
    std::string echo_topic;
    // Answers must answer their question: a lexicon phrase with a topic other than the question's
    // (its id), say "Coal for the new steam engines." to "How should we manage immigration?", is
    // "incoherent" rather than a vote for its era. For experiments whose question ids are the
    // lexicon's topics (the birds').
    bool on_topic = false;
    int samples = 100;
    int max_new = 24;
    float temperature = 1.0f;
    uint64_t seed = 0;
    bool mass = true;
};

// The class of one answer under the rules of EvalOptions. classes: the question's own phrase -> class;
// names: the question's class names; topic: the question's id.
std::string classify_answer(const std::string& answer, const std::map<std::string, std::string>& classes,
                            const std::set<std::string>& names, const std::string& topic, const EvalOptions& o);

struct EvalCell {
    std::string form, question;
    int n = 0;
    std::map<std::string, int> counts;     // per class, and "incoherent"
    std::map<std::string, double> mass;    // per class
};

struct EvalResult {
    std::vector<EvalCell> cells;
    std::string samples_jsonl;  // every sampled answer with its class, one JSON object a line
};

EvalResult evaluate(const GPT& model, const Tokenizer& tok, const world::EvalSet& set, const EvalOptions& o,
                    Progress* progress);
// Per form: the share of each class averaged over the questions, as a table for the terminal.
std::string eval_summary(const std::vector<EvalCell>& cells);
// The cells as TOML (the file the report and the golden check read).
std::string eval_cells_toml(const std::vector<EvalCell>& cells, const std::string& header);
std::vector<EvalCell> read_eval_cells(const std::string& path);


}  // namespace wg
