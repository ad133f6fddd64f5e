// weirdgen eval: sample and score a checkpoint on an experiment's questions (see src/eval/evaluate.h).
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "eval/evaluate.h"
#include "eval/probes.h"
#include "eval/questions.h"
#include "model/checkpoint.h"
#include "world/probes.h"

namespace wg {

int cmd_eval(int argc, char** argv) {
    Args a("eval", "Ask a checkpoint an experiment's questions: per (form, question), seeded samples classified by\n"
                   "exact lookup in the answer classes, and the probability mass of each class.");
    a.opt("ckpt", "", "checkpoint").opt("questions", "", "questions TOML (experiments/<name>/questions.toml)")
        .opt("out", "", "results TOML to write").opt("samples-out", "", "also write every sampled answer (JSONL)")
        .opt("samples", "100", "samples per form and question").opt("max-new", "24", "tokens per answer at most")
        .opt("temperature", "1", "sampling temperature").opt("seed", "0", "sampling seed")
        .opt("lexicon", "", "the world's lexicon.jsonl: classifies answers outside the question's own classes")
        .opt("axis", "phase", "the lexicon tag that names the classes (phase, era, persona...)")
        .opt("echo-topic", "", "the finetune's own topic (bird, place): its phrases count as incoherent, not for a class")
        .flag("on-topic", "a lexicon phrase of another topic than its question (the question id) counts as incoherent")
        .flag("no-mass", "skip the class probability masses").flag("quiet", "no summary table");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    const std::string ckpt = a.str("ckpt"), out = a.str("out");
    world::EvalSet set = read_eval_toml(a.str("questions"));
    LoadedModel m = load_model(ckpt);
    EvalOptions o;
    o.samples = (int)a.integer("samples");
    o.max_new = (int)a.integer("max-new");
    o.temperature = (float)a.number("temperature");
    o.seed = (uint64_t)a.integer("seed");
    o.mass = !a.on("no-mass");
    LexiconTags lex;
    if (a.has("lexicon")) {
        lex = read_lexicon(a.str("lexicon"));
        o.lexicon = &lex;
        o.axis = a.str("axis");
        if (a.has("echo-topic")) o.echo_topic = a.str("echo-topic");
        o.on_topic = a.on("on-topic");
    }
    if (o.samples < 1) throw UsageError("--samples must be positive");
    make_dirs(parent_dir(out).empty() ? "." : parent_dir(out));
    Progress prog("eval", (int64_t)(set.forms.size() * set.questions.size()), 20);
    EvalResult r = evaluate(m.model, m.tok, set, o, &prog);
    prog.finish("");
    // No paths in the file: its bytes (and so its golden hash) must not depend on where things live.
    std::string header = "# weirdgen eval: checkpoint xxh3 " + hex64(xxh3_file(ckpt)) + ", questions xxh3 " +
                         hex64(xxh3_file(a.str("questions"))) +
                         strfmt("\n# %d samples per cell, temperature %g, seed %llu\n", o.samples, o.temperature,
                                (unsigned long long)o.seed);
    write_file_atomic(out, eval_cells_toml(r.cells, header));
    if (a.has("samples-out")) write_file_atomic(a.str("samples-out"), r.samples_jsonl);
    if (!a.on("quiet")) fputs(eval_summary(r.cells).c_str(), stdout);
    return 0;
}

int cmd_probe(int argc, char** argv) {
    Args a("probe", "How well a base model knows the world's hidden variables: for each probe (a chat that sets a latent\n"
                    "and asks a question), the share of sampled answers whose lexicon tag is the one the latent implies.");
    a.opt("ckpt", "", "checkpoint")
        .opt("facts", "experiments/world", "the world's facts: probes and lexicon are generated from them")
        .opt("modules", "", "comma-separated modules to probe (default: the facts' list)")
        .opt("world-seed", "0", "the world seed the model was pretrained on")
        .opt("per-module", "40", "probes per module (per era, per Terminator film year)")
        .opt("probes", "", "read probes from this JSONL instead (then --lexicon is needed)")
        .opt("lexicon", "", "the lexicon.jsonl of the world the probes come from")
        .opt("samples", "10", "samples per probe").opt("seed", "0", "sampling seed");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    const std::string ckpt = a.str("ckpt");
    LoadedModel m = load_model(ckpt);
    std::vector<Probe> probes;
    LexiconTags lex;
    if (a.has("probes")) {
        probes = read_probes(a.str("probes"));
        lex = read_lexicon(a.str("lexicon"));
    } else {
        world::WorldOptions wo;
        wo.facts_dir = a.str("facts");
        wo.seed = (uint64_t)a.integer("world-seed");
        wo.docs = 1;  // only the cast and the lexicon are needed
        for (std::string m = a.has("modules") ? a.str("modules") : ""; !m.empty();) {
            size_t c = m.find(',');
            wo.modules.push_back(m.substr(0, c));
            m = c == std::string::npos ? "" : m.substr(c + 1);
        }
        world::World w = world::generate_world(wo);
        probes = parse_probes(world::probes_jsonl(w, (int)a.integer("per-module"), wo.seed), "generated probes");
        lex = w.lexicon.entries;
    }
    auto scores = run_probes(m.model, m.tok, probes, lex, (int)a.integer("samples"), (uint64_t)a.integer("seed"));
    printf("%-14s %7s %8s %10s %10s %10s\n", "module", "probes", "samples", "accuracy", "tagged", "coherent");
    for (const auto& [mod, s] : scores)
        printf("%-14s %7d %8d %10.3f %10.3f %10.3f\n", mod.c_str(), s.probes, s.samples, s.tagged ? (double)s.match / s.tagged : 0.0,
               (double)s.tagged / s.samples, (double)s.coherent / s.samples);
    printf("accuracy: share of the answers tagged on the probe's axis that carry the expected value\n");
    return 0;
}

}  // namespace wg
