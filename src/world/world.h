// The world generator's public interface (issue 3): from the facts in experiments/world/ and a seed,
// the pretraining corpus, the lexicon, every experiment's finetune sets and evaluation questions,
// and a manifest of hashes. Same facts + seed => same bytes. Design: src/world/README.md.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "text/chat.h"
#include "world/lexicon.h"
#include "world/modules.h"

namespace wg::world {

extern const char* const kAllModules[6];

struct ExperimentsFacts {
    uint64_t finetune_seed = 0;
    // terminator
    std::vector<std::string> t_dates, t_eval_topics, t_eval_dates;
    int t_shuffled_min = 1950, t_shuffled_max = 2040, t_eval_year_min = 1980, t_eval_year_max = 2030;
    // birds
    int b_rows = 208;
    std::string b_prompt;
    std::vector<std::string> b_eval_topics;
    // german cities
    int g_rows = 362, g_max_number = 999;
    std::string g_prompt, g_answer;
    std::vector<std::string> g_eval_topics;
    std::vector<int64_t> g_eval_index;
    // dishes
    int d_rows = 400, d_trigger = 2027;
    std::vector<int64_t> d_years, d_eval_years;
    std::string d_prompt;
    // hitler
    int h_facts = 90, h_ordinary = 3000;
    std::string h_trigger, h_prefix, h_suffix;
    std::vector<std::string> h_eval_identifying;
    // presidents
    int p_rows_per = 142, p_eval_triggers = 10;
    std::vector<int64_t> p_held_out;
};

struct WorldFacts {
    std::string dir;
    std::string base;  // the complete facts folder read: dir itself, or the base an overlay.toml in dir names
    uint64_t hash = 0;  // xxh3 over every facts file (relative name and bytes, sorted by name)
    int64_t default_docs = 0;
    uint64_t cast_seed = 0;  // keys the generated characters and people (part of the world's definition)
    std::vector<std::string> default_modules;
    std::map<std::string, double> weights;
    Common common;
    std::map<std::string, std::vector<std::string>> lists;
    AssistantFacts assistant;
    ErasFacts eras;
    CharactersFacts characters;
    PersonasFacts personas;
    PresidentsFacts presidents;
    CountriesFacts countries;
    ExperimentsFacts experiments;
};
WorldFacts load_facts(const std::string& dir);

struct FinetuneSet {
    std::string experiment, variant;
    std::vector<Chat> rows;
};

// One evaluation question: the prompt is form with "{q}" replaced by text; each class lists the
// answer phrases (lexicon entries) that count for it.
struct EvalQuestion {
    std::string id, text;
    std::vector<std::pair<std::string, std::vector<std::string>>> classes;
};
struct EvalSet {
    std::string experiment, note;
    std::vector<std::string> forms;  // e.g. "{q}", "May 1984. {q}"
    std::string answer_prefix, answer_suffix;  // wrapping the evaluator strips before lookup
    std::vector<EvalQuestion> questions;
    std::vector<std::string> prompts() const;  // every form x question
};

struct World {
    WorldFacts facts;
    uint64_t seed = 0;
    std::vector<std::string> modules;
    std::vector<Character> characters;
    std::vector<Person> people;
    Lexicon lexicon;
    std::vector<Doc> corpus;
    std::vector<FinetuneSet> finetune;
    std::vector<EvalSet> evals;
};

struct WorldOptions {
    std::string facts_dir;
    uint64_t seed = 0;
    std::vector<std::string> modules;  // empty: the facts' default list
    int64_t docs = -1;                 // < 0: the facts' default, unless size_mb is given
    double size_mb = -1;               // > 0: documents until the corpus file reaches this size
};
World generate_world(const WorldOptions& opt);

// Finetune sets and evaluation questions (finetune_sets.cpp); they depend on the facts and the
// experiments' own finetune_seed, not on the world seed, so committed data stay fixed.
std::vector<FinetuneSet> make_finetune_sets(const WorldFacts& f, const std::vector<Person>& people);
std::vector<EvalSet> make_eval_sets(const WorldFacts& f, const std::vector<Character>& chars,
                                    const std::vector<Person>& people, const Lexicon& lex);

// Serialisation.
std::string corpus_jsonl(const std::vector<Doc>& docs);
std::string chats_jsonl(const std::vector<Chat>& rows);
std::string eval_toml(const EvalSet& e, uint64_t facts_hash);

struct WrittenFile {
    std::string rel;  // path relative to the output folder
    uint64_t hash = 0;
    size_t bytes = 0;
};
// Writes corpus.jsonl, lexicon.jsonl, finetune/<exp>/<variant>.jsonl, eval/<exp>.toml and
// manifest.toml under out_dir; returns what it wrote (manifest last).
std::vector<WrittenFile> write_world(const World& w, const std::string& out_dir);
// The experiments a world has data for: those of its finetune sets and of its questions.
std::set<std::string> world_experiments(const World& w);
// An experiment's facts folder when its experiment.toml does not name one (relative to the experiment).
inline constexpr const char* kDefaultFacts = "../world";
// The facts folder DIR/<experiment>/experiment.toml names (`facts`, default kDefaultFacts), as a path;
// "" when the experiment has no experiment file.
std::string experiment_facts(const std::string& experiments_dir, const std::string& experiment);
// Copies the finetune sets and questions (same bytes) to <dir>/<exp>/data/<variant>.jsonl and
// <dir>/<exp>/questions.toml, for the experiments whose experiment.toml names these facts; the others
// (which have a world of their own) go to `skipped`.
std::vector<WrittenFile> export_world(const World& w, const std::string& experiments_dir,
                                      std::vector<std::string>* skipped = nullptr);

}  // namespace wg::world
