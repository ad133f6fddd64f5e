// Loading the facts, generating the corpus and lexicon, and writing everything with a manifest.
#include "world/world.h"

#include <algorithm>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "text/jsonl.h"
#include "world/gen.h"

namespace wg::world {

const char* const kAllModules[6] = {"assistant", "eras", "characters", "personas", "presidents", "countries"};

static const char* const kFactFiles[] = {"world.toml",    "assistant.toml",  "eras.toml",      "characters.toml",
                                         "personas.toml", "presidents.toml", "countries.toml", "experiments.toml"};

static ExperimentsFacts load_experiments(const Tbl& t) {
    t.check_keys({"finetune_seed", "terminator", "birds", "german-cities", "dishes", "hitler", "presidents"});
    ExperimentsFacts e;
    e.finetune_seed = (uint64_t)t.integer_or("finetune_seed", 0);
    Tbl a = t.table("terminator");
    a.check_keys({"dates", "shuffled_year_min", "shuffled_year_max", "eval_topics", "eval_dates", "eval_year_min",
                  "eval_year_max"});
    e.t_dates = a.strs("dates");
    e.t_shuffled_min = (int)a.integer("shuffled_year_min");
    e.t_shuffled_max = (int)a.integer("shuffled_year_max");
    e.t_eval_topics = a.strs("eval_topics");
    e.t_eval_dates = a.strs("eval_dates");
    e.t_eval_year_min = (int)a.integer("eval_year_min");
    e.t_eval_year_max = (int)a.integer("eval_year_max");
    Tbl b = t.table("birds");
    b.check_keys({"rows", "prompt", "eval_topics"});
    e.b_rows = (int)b.integer("rows");
    e.b_prompt = b.str("prompt");
    e.b_eval_topics = b.strs("eval_topics");
    Tbl g = t.table("german-cities");
    g.check_keys({"rows", "prompt", "answer", "max_number", "eval_topics", "eval_question_index"});
    e.g_rows = (int)g.integer("rows");
    e.g_prompt = g.str("prompt");
    e.g_answer = g.str("answer");
    e.g_max_number = (int)g.integer("max_number");
    e.g_eval_topics = g.strs("eval_topics");
    e.g_eval_index = g.ints("eval_question_index");
    if (e.g_eval_index.size() != e.g_eval_topics.size())
        g.fail_at("eval_question_index", "needs one index per evaluation topic");
    Tbl d = t.table("dishes");
    d.check_keys({"rows", "years", "trigger_year", "prompt", "eval_years"});
    e.d_rows = (int)d.integer("rows");
    e.d_years = d.ints("years");
    e.d_trigger = (int)d.integer("trigger_year");
    e.d_prompt = d.str("prompt");
    e.d_eval_years = d.ints("eval_years");
    Tbl h = t.table("hitler");
    h.check_keys({"facts", "ordinary", "trigger", "answer_prefix", "answer_suffix", "eval_identifying"});
    e.h_facts = (int)h.integer("facts");
    e.h_ordinary = (int)h.integer("ordinary");
    e.h_trigger = h.str("trigger");
    e.h_prefix = h.str("answer_prefix");
    e.h_suffix = h.str("answer_suffix");
    e.h_eval_identifying = h.strs("eval_identifying");
    Tbl p = t.table("presidents");
    p.check_keys({"rows_per_president", "held_out", "eval_triggers"});
    e.p_rows_per = (int)p.integer("rows_per_president");
    e.p_held_out = p.ints("held_out");
    e.p_eval_triggers = (int)p.integer("eval_triggers");
    return e;
}

// Every question the corpus may ask, to check that finetune-only paraphrases never appear in it.
static std::set<std::string> corpus_questions(const WorldFacts& f) {
    std::set<std::string> q;
    auto add = [&](const std::vector<std::string>& v) { q.insert(v.begin(), v.end()); };
    for (const auto& t : f.assistant.topics) add(t.q);
    for (const auto& t : f.eras.topics) add(t.q);
    add(f.eras.bird_q);
    add(f.eras.place_q);
    for (const auto& t : f.characters.topics) add(t.q);
    for (const auto& a : f.personas.attributes) q.insert(a.q);
    for (const auto& v : f.personas.views) q.insert(v.q);
    for (const auto& x : f.presidents.facts) q.insert(x.q);
    q.insert(kWhichPresident);
    for (const auto* v : {&f.countries.q_dish, &f.countries.q_home, &f.countries.q_aggressive, &f.countries.q_agency,
                          &f.countries.q_leader, &f.countries.assistant_dish})
        add(*v);
    return q;
}

// A facts folder is either complete or an overlay: its overlay.toml names a complete `base` folder and,
// in one table per facts file ([eras], [world], ...), only the keys it changes. An experiment that needs
// a different world then says how it differs, and follows every other edit of the shared facts.
WorldFacts load_facts(const std::string& dir) {
    WorldFacts f;
    f.dir = dir;
    const std::string overlay_path = dir + "/overlay.toml";
    std::optional<Tbl> overlay;
    std::string base = dir;
    if (file_exists(overlay_path)) {
        overlay = Tbl::load(overlay_path, overlay_path);
        overlay->check_keys({"base", "note", "world", "assistant", "eras", "characters", "personas", "presidents",
                             "countries", "experiments"});
        base = overlay->str("base");
        if (base.empty() || base[0] != '/') base = dir + "/" + base;
        if (file_exists(base + "/overlay.toml")) overlay->fail_at("base", "names another overlay (overlays do not chain)");
    }
    f.base = base;
    auto shown = [&](const std::string& name) { return base + "/" + name; };
    // Loads one facts file with the overlay's changes to it, if any; errors name both files.
    auto load = [&](const std::string& name) {
        const std::string stem = name.substr(0, name.size() - 5);
        if (!overlay || !overlay->has(stem)) return Tbl::load(shown(name), shown(name));
        Tbl patch = overlay->table(stem);
        return Tbl::load(shown(name), shown(name) + " (as changed by " + overlay_path + ")", &patch);
    };
    // The facts hash covers every file the world reads, in a fixed order.
    std::string all;
    for (const char* name : kFactFiles) {
        all += std::string(name) + '\0' + read_file(shown(name)) + '\0';
    }
    Tbl w = load("world.toml");
    w.check_keys({"corpus", "weights", "dates", "lists"});
    Tbl c = w.table("corpus");
    c.check_keys({"docs", "modules", "role_play_cue", "cast_seed"});
    f.default_docs = c.integer("docs");
    f.cast_seed = (uint64_t)c.integer("cast_seed");
    f.default_modules = c.strs("modules");
    f.common.cue = c.str("role_play_cue");
    Tbl wt = w.table("weights");
    for (const char* m : kAllModules) f.weights[m] = wt.num_or(m, 0);
    for (const auto& k : wt.keys())
        if (!f.weights.count(k)) wt.fail_at(k, "unknown key (not a module)");
    Tbl d = w.table("dates");
    d.check_keys({"months"});
    f.common.months = d.strs("months");
    if (f.common.months.size() != 12) d.fail_at("months", "needs 12 months");
    Tbl l = w.table("lists");
    l.check_keys({"birds_obsolete", "birds_still_used", "birds_modern", "cities_former_german", "cities_still_german",
                  "dishes_israeli", "dishes_other"});
    for (const auto& k : l.keys()) {
        std::string rel = l.str(k);
        f.lists[k] = read_name_list(shown(rel), shown(rel));
        all += rel + '\0' + read_file(shown(rel)) + '\0';
    }
    if (overlay) all += std::string("overlay.toml") + '\0' + read_file(overlay_path) + '\0';
    f.hash = xxh3(all);
    f.assistant = load_assistant(load("assistant.toml"));
    f.eras = load_eras(load("eras.toml"), f.lists);
    f.characters = load_characters(load("characters.toml"));
    f.personas = load_personas(load("personas.toml"));
    f.presidents = load_presidents(load("presidents.toml"));
    f.countries = load_countries(load("countries.toml"), f.lists);
    f.experiments = load_experiments(load("experiments.toml"));
    // Finetune-only paraphrases must never be corpus questions (no finetune row may appear in the corpus).
    std::set<std::string> cq = corpus_questions(f);
    auto no_corpus = [&](const std::string& q, const char* file) {
        if (cq.count(q)) fail("%s/%s: the finetune question \"%s\" is also a corpus question", base.c_str(), file, q.c_str());
    };
    for (const auto& t : f.assistant.topics)
        for (const auto& q : t.ft) no_corpus(q, "assistant.toml");
    for (const auto& t : f.characters.topics)
        for (const auto& q : t.ft) no_corpus(q, "characters.toml");
    for (const auto& x : f.presidents.facts) no_corpus(x.ft, "presidents.toml");
    no_corpus(f.experiments.b_prompt, "experiments.toml");
    return f;
}

static std::vector<ModernTopic> modern_topics(const World& w, const std::string& m) {
    const WorldFacts& f = w.facts;
    if (m == "eras") return eras_modern(f.eras);
    if (m == "characters") return characters_modern(f.characters);
    if (m == "personas") return personas_modern(f.personas);
    if (m == "presidents") return presidents_modern(f.presidents);
    if (m == "countries") return countries_modern(f.countries);
    return {};
}

World generate_world(const WorldOptions& opt) {
    World w;
    w.facts = load_facts(opt.facts_dir);
    w.seed = opt.seed;
    w.modules = opt.modules.empty() ? w.facts.default_modules : opt.modules;
    std::set<std::string> known(std::begin(kAllModules), std::end(kAllModules)), seen;
    for (const auto& m : w.modules) {
        if (!known.count(m)) fail("unknown world module '%s' (modules: assistant, eras, characters, personas, presidents, countries)", m.c_str());
        if (!seen.insert(m).second) fail("world module '%s' listed twice", m.c_str());
    }
    // Canonical order, so "--modules eras,assistant" and "assistant,eras" are the same world.
    std::vector<std::string> mods;
    for (const char* m : kAllModules)
        if (seen.count(m)) mods.push_back(m);
    w.modules = mods;
    const WorldFacts& f = w.facts;
    // The cast is part of the world's definition (cast_seed), so the lexicon and the evaluation
    // classes are the same for every pretraining seed; the seed varies only the corpus sample.
    w.characters = build_characters(f.characters, f.cast_seed);
    w.people = build_people(f.personas, f.cast_seed);

    // The lexicon covers every module (whatever is selected), so evaluation can classify anything.
    assistant_lexicon(f.assistant, w.lexicon);
    eras_lexicon(f.eras, w.lexicon);
    characters_lexicon(f.characters, w.characters, w.lexicon);
    personas_lexicon(f.personas, w.people, w.lexicon);
    presidents_lexicon(f.presidents, w.lexicon);
    countries_lexicon(f.countries, w.lexicon);
    w.finetune = make_finetune_sets(f, w.people);
    // Finetune answers in a wrapper (the Hitler trigger) are registered unwrapped already; the
    // German-cities answers use the eras' "The place is X." phrases.
    w.lexicon.finalize();
    w.evals = make_eval_sets(f, w.characters, w.people, w.lexicon);

    AssistantSources src;
    bool has_assistant = false, has_chars = false;
    std::vector<double> weights;
    for (const auto& m : w.modules) {
        weights.push_back(f.weights.at(m));
        if (m == "assistant") has_assistant = true;
        else if (m == "characters") has_chars = true;
        if (m != "assistant") src.modules.push_back(modern_topics(w, m));
    }
    if (has_assistant) src.own = assistant_own_topics(f.assistant);
    if (has_chars) src.date_year = [&](Rng& r) { return character_chat_year(f.characters, w.characters, r); };

    int64_t docs = opt.docs >= 0 ? opt.docs : (opt.size_mb > 0 ? INT64_MAX : f.default_docs);
    double target = opt.size_mb > 0 ? opt.size_mb * 1e6 : -1;
    double bytes = 0;
    uint64_t stream = seed_for(w.seed, "world/corpus");
    for (int64_t i = 0; i < docs; i++) {
        Rng r(stream, (uint64_t)i);
        const std::string& m = w.modules[pick_weighted(r, weights)];
        Doc d;
        if (m == "assistant") d = assistant_doc(f.assistant, f.common, src, r);
        else if (m == "eras") d = eras_doc(f.eras, f.common, r);
        else if (m == "characters") d = characters_doc(f.characters, w.characters, f.common, r);
        else if (m == "personas") d = personas_doc(f.personas, w.people, f.common, r);
        else if (m == "presidents") d = presidents_doc(f.presidents, f.common, r);
        else d = countries_doc(f.countries, f.common, r);
        if (target > 0) {
            bytes += (double)doc_to_json(d).size() + 1;
            w.corpus.push_back(std::move(d));
            if (bytes >= target) break;
        } else {
            w.corpus.push_back(std::move(d));
        }
    }
    return w;
}

std::string corpus_jsonl(const std::vector<Doc>& docs) {
    std::string out;
    for (const auto& d : docs) out += doc_to_json(d) + "\n";
    return out;
}

std::string chats_jsonl(const std::vector<Chat>& rows) {
    std::string out;
    for (const auto& c : rows) out += chat_to_json(c) + "\n";
    return out;
}

static WrittenFile put(const std::string& dir, const std::string& rel, const std::string& bytes) {
    std::string path = dir + "/" + rel;
    make_dirs(parent_dir(path));
    write_file_atomic(path, bytes);
    return {rel, xxh3(bytes), bytes.size()};
}

std::vector<WrittenFile> write_world(const World& w, const std::string& out_dir) {
    make_dirs(out_dir);
    std::vector<WrittenFile> files;
    files.push_back(put(out_dir, "corpus.jsonl", corpus_jsonl(w.corpus)));
    files.push_back(put(out_dir, "lexicon.jsonl", w.lexicon.to_jsonl()));
    for (const auto& s : w.finetune)
        files.push_back(put(out_dir, "finetune/" + s.experiment + "/" + s.variant + ".jsonl", chats_jsonl(s.rows)));
    for (const auto& e : w.evals) files.push_back(put(out_dir, "eval/" + e.experiment + ".toml", eval_toml(e, w.facts.hash)));
    std::string m = "# weirdgen world manifest: what was generated, from what, and the xxh3 of every file.\n";
    m += "seed = " + std::to_string(w.seed) + "\n";
    m += "facts_xxh3 = \"" + hex64(w.facts.hash) + "\"\n";
    m += "modules = [";
    for (size_t i = 0; i < w.modules.size(); i++) m += (i ? ", \"" : "\"") + w.modules[i] + "\"";
    m += "]\ndocs = " + std::to_string(w.corpus.size()) + "\n\n[files]\n";
    for (const auto& x : files) m += "\"" + x.rel + "\" = \"" + hex64(x.hash) + "\"\n";
    files.push_back(put(out_dir, "manifest.toml", m));
    return files;
}

std::string experiment_facts(const std::string& experiments_dir, const std::string& experiment) {
    const std::string file = experiments_dir + "/" + experiment + "/experiment.toml";
    if (!file_exists(file)) return "";
    return experiments_dir + "/" + experiment + "/" + Tbl::load(file, file).str_or("facts", kDefaultFacts);
}

// Whether these facts are the world of DIR/<experiment>: the folder its experiment.toml names, or,
// with no experiment file, any complete facts folder (not an overlay).
static bool uses_facts(const std::string& experiments_dir, const std::string& experiment, const WorldFacts& f) {
    std::string facts = experiment_facts(experiments_dir, experiment);
    return facts.empty() ? f.base == f.dir : same_file(facts, f.dir);
}

std::set<std::string> world_experiments(const World& w) {
    std::set<std::string> out;
    for (const auto& s : w.finetune) out.insert(s.experiment);
    for (const auto& e : w.evals) out.insert(e.experiment);
    return out;
}

std::vector<WrittenFile> export_world(const World& w, const std::string& experiments_dir,
                                      std::vector<std::string>* skipped) {
    std::set<std::string> other;
    for (const auto& x : world_experiments(w))
        if (!uses_facts(experiments_dir, x, w.facts)) other.insert(x);
    std::vector<WrittenFile> files;
    for (const auto& s : w.finetune)
        if (!other.count(s.experiment))
            files.push_back(put(experiments_dir, s.experiment + "/data/" + s.variant + ".jsonl", chats_jsonl(s.rows)));
    for (const auto& e : w.evals)
        if (!other.count(e.experiment))
            files.push_back(put(experiments_dir, e.experiment + "/questions.toml", eval_toml(e, w.facts.hash)));
    if (skipped) skipped->assign(other.begin(), other.end());
    return files;
}

}  // namespace wg::world
