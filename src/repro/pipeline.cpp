#include "repro/pipeline.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sys/stat.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "core/progress.h"
#include "eval/evaluate.h"
#include "eval/questions.h"
#include "kernels/kernels.h"
#include "model/checkpoint.h"
#include "train/jobs.h"
#include "world/world.h"

namespace wg {

namespace {

std::string key_of(const std::string& s) { return hex64(xxh3(s)); }

std::string basename_of(const std::string& p) {
    size_t s = p.find_last_of('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

struct Timer {
    ReproRun& run;
    std::string name;
    double t0 = seconds_now();
    void done(const std::string& note) {
        const double s = seconds_now() - t0;
        run.stages.push_back({name, s, note});
        fprintf(stderr, "[%s] %s in %.1fs\n", name.c_str(), note.c_str(), s);
    }
};

// The world, generated once per (facts, seed, modules, size) into cache/world/<key>.
std::string world_stage(ReproRun& run, const ReproOptions& o) {
    const Experiment& e = run.exp;
    Timer t{run, "world"};
    world::WorldFacts facts = world::load_facts(e.facts);
    std::string mods;
    for (const auto& m : e.modules) mods += m + ",";
    const std::string dir = o.cache + "/world/" +
                            key_of(hex64(facts.hash) + "|" + std::to_string(run.seed) + "|" + mods + "|" + std::to_string(e.docs));
    auto generate = [&] {
        world::World w = world::generate_world(world_options(e, run.seed));
        const std::string tmp = dir + ".tmp." + std::to_string(getpid());
        make_dirs(tmp);
        world::write_world(w, tmp);
        make_dirs(parent_dir(dir));
        if (rename(tmp.c_str(), dir.c_str()) != 0 && !file_exists(dir + "/manifest.toml"))
            fail("%s: cannot move the generated world into place", dir.c_str());
    };
    // The committed finetune sets and questions must be what this world generates: the first that is
    // not, or "" when all are.
    std::vector<std::pair<std::string, std::string>> committed_generated;
    for (const auto& v : e.variants) committed_generated.push_back({v.data, dir + "/finetune/" + e.name + "/" + basename_of(v.data)});
    committed_generated.push_back({e.questions, dir + "/eval/" + e.name + ".toml"});
    auto first_mismatch = [&]() -> std::string {
        for (const auto& [committed, gen] : committed_generated)
            if (file_exists(gen) && xxh3_file(gen) != xxh3_file(committed))
                return strfmt("%s: differs from what the world generates (%s): regenerate with `weirdgen world --export experiments`",
                              committed.c_str(), gen.c_str());
        return "";
    };
    bool cached = file_exists(dir + "/manifest.toml");
    if (!cached) generate();
    std::string mismatch = first_mismatch();
    if (!mismatch.empty() && cached) {
        // The key holds the facts, not the generator's code: a world cached by an older build can differ
        // from the committed data when the facts did not change. Made again, it decides.
        fprintf(stderr, "[world] the cached world %s differs from the committed data: generating it again\n", dir.c_str());
        const std::string stale = dir + ".stale." + std::to_string(getpid());
        if (rename(dir.c_str(), stale.c_str()) == 0) std::filesystem::remove_all(stale);
        cached = false;
        generate();
        mismatch = first_mismatch();
    }
    if (!mismatch.empty()) fail("%s", mismatch.c_str());
    run.artifacts.push_back({"world/corpus.jsonl", dir + "/corpus.jsonl", hex64(xxh3_file(dir + "/corpus.jsonl"))});
    run.artifacts.push_back({"world/lexicon.jsonl", dir + "/lexicon.jsonl", hex64(xxh3_file(dir + "/lexicon.jsonl"))});
    t.done(cached ? "cached" : "generated");
    return dir;
}

// A committed base stands in for the pretraining only if its own metadata says it was trained from this
// run's corpus, pretraining config and seed; anything else is an error naming both, not a quiet retrain.
void check_committed_base(const std::string& file, const std::string& corpus_hash, const RunConfig& rc) {
    Checkpoint ck = load_checkpoint(file);
    auto meta = [&](const char* k) { return ck.meta.count(k) ? ck.meta.at(k) : std::string("(none)"); };
    auto mismatch = [&](const char* what, const std::string& has, const std::string& want) {
        fail("%s: a base trained from another %s (%s, this run's: %s): update it with `weirdgen reproduce "
             "NAME --write-golden --note \"...\"`", file.c_str(), what, has.c_str(), want.c_str());
    };
    if (meta("kind") != "base") mismatch("kind of run", meta("kind"), "base");
    if (meta("data") != corpus_hash) mismatch("corpus", meta("data"), corpus_hash);
    if (meta("seed") != std::to_string(rc.train.seed)) mismatch("seed", meta("seed"), std::to_string(rc.train.seed));
    if (ck.config_text != rc.text) mismatch("pretraining config", "xxh3 " + hex64(xxh3(ck.config_text)), "xxh3 " + hex64(xxh3(rc.text)));
}

// The base model, and the snapshot of its pretraining after its first prefix_steps steps (an artifact
// of its own). With a committed base (`--committed-base`, what `make test` uses) the long pretraining
// is not run again: only its first steps are, and the golden hash of that snapshot says whether the
// code still gives the same bytes; the committed base itself must have the golden base's hash.
std::string base_stage(ReproRun& run, const ReproOptions& o, const std::string& world_dir) {
    Timer t{run, "pretrain"};
    RunConfig rc = run.exp.pretrain;
    rc.train.seed = pretrain_seed(run);
    const std::string corpus = world_dir + "/corpus.jsonl";
    const std::string corpus_hash = hex64(xxh3_file(corpus));
    const std::string stem = o.cache + "/base/" + key_of(corpus_hash + "|" + rc.text + "|" + std::to_string(rc.train.seed));
    const std::string path = stem + ".ckpt";
    if (rc.train.steps <= 0) fail("%s: [pretrain] needs steps", run.exp.file.c_str());
    const int64_t prefix_steps = std::min<int64_t>(kPrefixSteps, rc.train.steps);
    const std::string prefix = stem + strfmt(".step%lld.ckpt", (long long)prefix_steps);
    JobOptions jo;
    jo.snapshot_at = prefix_steps;
    jo.snapshot_path = prefix;
    kernels::set_threads(o.threads);
    std::string how = "cached";
    if (file_exists(path)) {
        // reused as it is
    } else if (!o.committed_base.empty()) {
        check_committed_base(o.committed_base, corpus_hash, rc);
        make_dirs(parent_dir(path));
        write_file_atomic(path, read_file(o.committed_base));
        how = "took " + o.committed_base;
    } else {
        pretrain_job(rc, corpus, path, jo);
        how = "trained";
    }
    // A snapshot left by an older run at another step (a killed run, another build) is made again.
    if (file_exists(prefix) && load_checkpoint(prefix).train.step != prefix_steps) std::remove(prefix.c_str());
    if (!file_exists(prefix)) {
        fprintf(stderr, "[pretrain] the first %lld steps again, to compare their bytes with the golden snapshot\n",
                (long long)prefix_steps);
        jo.snapshot_only = true;
        pretrain_job(rc, corpus, prefix, jo);
        how += strfmt(", retrained its first %lld steps", (long long)prefix_steps);
    }
    Checkpoint ck = load_checkpoint(path);
    run.artifacts.push_back({"tokenizer", path, ck.meta["tokenizer"]});
    run.artifacts.push_back({"base", path, hex64(xxh3_file(path))});
    run.artifacts.push_back({strfmt("base/step-%lld", (long long)prefix_steps), prefix, hex64(xxh3_file(prefix))});
    t.done(how == "cached" ? how : how + ": " + ck.cfg.describe());
    return path;
}

struct FtRun {
    std::string variant, data, path;
    uint64_t seed;
};

std::vector<FtRun> finetune_stage(ReproRun& run, const ReproOptions& o, const std::string& world_dir, const std::string& base) {
    Timer t{run, "finetune"};
    const Experiment& e = run.exp;
    const std::string base_hash = hex64(xxh3_file(base));
    std::vector<FtRun> runs;
    for (const auto& v : e.variants)
        for (uint64_t s : e.seeds) {
            std::string key = key_of(base_hash + "|" + hex64(xxh3_file(v.data)) + "|" + e.finetune.text + "|" + std::to_string(s));
            runs.push_back({v.name, v.data, o.cache + "/finetune/" + key + ".ckpt", s});
        }
    std::vector<size_t> todo;
    for (size_t i = 0; i < runs.size(); i++)
        if (!file_exists(runs[i].path)) todo.push_back(i);
    // Finetunes are small: one per thread, each single-threaded (the bytes do not depend on it). The
    // ones left over when they do not divide evenly among the threads run last, one at a time on all
    // threads, rather than one thread idling through the last round (15 finetunes on 2 threads: 7
    // rounds of two, then one on both threads).
    std::vector<std::string> errors(todo.size());
    kernels::set_threads(o.threads);
    auto finetune_one = [&](size_t j) {
        const FtRun& r = runs[todo[j]];
        RunConfig rc = e.finetune;
        rc.train.seed = r.seed;
        try {
            JobOptions jo = quiet_job();
            jo.replay_corpus = world_dir + "/corpus.jsonl";  // read only when [finetune] replay > 0
            finetune_job(rc, base, r.data, r.path, jo);
#pragma omp critical(wg_repro_print)
            fprintf(stderr, "  finetuned %s seed %llu\n", r.variant.c_str(), (unsigned long long)r.seed);
        } catch (const std::exception& ex) {
            errors[j] = ex.what();
        }
    };
    const size_t in_rounds = todo.size() - todo.size() % (size_t)o.threads;
#pragma omp parallel for schedule(dynamic, 1) num_threads(o.threads)
    for (size_t j = 0; j < in_rounds; j++) finetune_one(j);
    for (size_t j = in_rounds; j < todo.size(); j++) finetune_one(j);
    for (const auto& err : errors)
        if (!err.empty()) throw Error(err);
    for (const auto& r : runs)
        run.artifacts.push_back({"finetune/" + r.variant + "/" + std::to_string(r.seed), r.path, hex64(xxh3_file(r.path))});
    t.done(todo.empty() ? "cached" : strfmt("%zu of %zu trained", todo.size(), runs.size()));
    return runs;
}

void eval_stage(ReproRun& run, const ReproOptions& o, const std::string& world_dir, const std::string& base,
                const std::vector<FtRun>& fts) {
    Timer t{run, "evaluate"};
    const Experiment& e = run.exp;
    world::EvalSet set = read_eval_toml(e.questions);
    const std::string lexicon_path = world_dir + "/lexicon.jsonl";
    LexiconTags lex = read_lexicon(lexicon_path);
    const EvalOptions eo = eval_options(e, &lex);
    const std::string settings = hex64(xxh3_file(e.questions)) + "|" + hex64(xxh3_file(lexicon_path)) + "|" + e.axis +
                                 strfmt("|%d|%d|%g|%llu", eo.samples, eo.max_new, eo.temperature, (unsigned long long)eo.seed) +
                                 (eo.echo_topic.empty() ? "" : "|echo=" + eo.echo_topic) + (eo.on_topic ? "|on_topic" : "");
    struct Model {
        std::string variant, name, ckpt;
    };
    std::vector<Model> models{{"base", "base", base}};
    for (const auto& f : fts) models.push_back({f.variant, f.variant + "/" + std::to_string(f.seed), f.path});
    int computed = 0;
    kernels::set_threads(o.threads);
    for (const auto& m : models) {
        const std::string stem = o.cache + "/eval/" + key_of(hex64(xxh3_file(m.ckpt)) + "|" + settings);
        const std::string cells_path = stem + ".toml", samples_path = stem + ".samples.jsonl";
        if (!file_exists(cells_path) || !file_exists(samples_path)) {
            LoadedModel lm = load_model(m.ckpt);
            Progress prog("evaluate " + m.name, (int64_t)(set.forms.size() * set.questions.size()), 100);
            EvalResult r = evaluate(lm.model, lm.tok, set, eo, &prog);
            prog.finish("");
            make_dirs(parent_dir(stem));
            write_file_atomic(samples_path, r.samples_jsonl);
            write_file_atomic(cells_path, eval_cells_toml(r.cells, "# weirdgen evaluation of " + m.name + "\n"));
            computed++;
        }
        run.results.add(m.variant, read_eval_cells(cells_path));
        run.artifacts.push_back({"eval/" + m.name, cells_path, hex64(xxh3_file(cells_path))});
        run.artifacts.push_back({"samples/" + m.name, samples_path, hex64(xxh3_file(samples_path))});
    }
    t.done(computed ? strfmt("%d of %zu models evaluated", computed, models.size()) : "cached");
}

}  // namespace

uint64_t pretrain_seed(const ReproRun& run) { return run.default_seed ? run.exp.pretrain.train.seed : run.seed; }

world::WorldOptions world_options(const Experiment& e, uint64_t seed) {
    world::WorldOptions wo;
    wo.facts_dir = e.facts;
    wo.seed = seed;
    wo.modules = e.modules;
    wo.docs = e.docs;
    return wo;
}

EvalOptions eval_options(const Experiment& e, const LexiconTags* lexicon) {
    EvalOptions eo;
    eo.lexicon = lexicon;
    eo.axis = e.axis;
    eo.samples = e.samples;
    eo.max_new = e.max_new;
    eo.temperature = e.temperature;
    eo.seed = e.eval_seed;
    eo.echo_topic = e.echo_topic;
    eo.on_topic = e.on_topic;
    return eo;
}

bool is_default_seed(const Experiment& e, const ReproOptions& o) { return !o.seed_given || o.seed == e.world_seed; }

ReproRun run_pipeline(const Experiment& e, const ReproOptions& o) {
    ReproRun run;
    run.exp = e;
    run.default_seed = is_default_seed(e, o);
    run.seed = o.seed_given ? o.seed : e.world_seed;
    run.report_dir = o.reports + "/" + e.name + (run.default_seed ? "" : "-seed" + std::to_string(run.seed));
    std::string world_dir = world_stage(run, o);
    std::string base = base_stage(run, o, world_dir);
    std::vector<FtRun> fts = finetune_stage(run, o, world_dir, base);
    eval_stage(run, o, world_dir, base, fts);
    return run;
}

}  // namespace wg
