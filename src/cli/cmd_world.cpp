// weirdgen world: generate the world (corpus, lexicon, finetune sets, evaluation questions, manifest)
// from the facts in experiments/world/ and a seed. Same facts + seed => same bytes.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/progress.h"
#include "world/world.h"

namespace wg {

static std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t end = s.find(',', pos);
        if (end == std::string::npos) end = s.size();
        if (end > pos) out.push_back(s.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

int cmd_world(int argc, char** argv) {
    Args a("world", "Generate the world: corpus.jsonl, lexicon.jsonl, finetune/<experiment>/<variant>.jsonl,\n"
                    "eval/<experiment>.toml and manifest.toml (xxh3 of each file) under --out.");
    a.opt("facts", "experiments/world", "folder of the world's facts (TOML and name lists)")
        .opt("seed", "0", "world seed (corpus, generated characters and personas)")
        .opt("out", "", "output folder")
        .opt("modules", "", "comma-separated subset of assistant,eras,characters,personas,presidents,countries (default: the facts' list)")
        .opt("docs", "", "number of corpus documents (default: the facts' [corpus].docs)")
        .opt("size-mb", "", "generate documents until the corpus file reaches this many megabytes")
        .opt("export", "", "also copy finetune sets and questions to DIR/<experiment>/data/*.jsonl and DIR/<experiment>/questions.toml (experiments whose experiment.toml names these facts)");
    if (!a.parse(argc, argv)) return 0;
    world::WorldOptions o;
    o.facts_dir = a.str("facts");
    int64_t seed = a.integer("seed");
    if (seed < 0) throw UsageError("weirdgen world: --seed must be >= 0");
    o.seed = (uint64_t)seed;
    std::string out = a.str("out");
    if (a.has("modules")) o.modules = split_commas(a.str("modules"));
    if (a.has("docs") && a.has("size-mb")) throw UsageError("weirdgen world: give --docs or --size-mb, not both");
    if (a.has("docs")) {
        o.docs = a.integer("docs");
        if (o.docs < 0) throw UsageError("weirdgen world: --docs must be >= 0");
    }
    if (a.has("size-mb")) {
        o.size_mb = a.number("size-mb");
        if (!(o.size_mb > 0)) throw UsageError("weirdgen world: --size-mb must be > 0");
    }
    const double t0 = seconds_now();
    world::World w = world::generate_world(o);
    auto files = world::write_world(w, out);
    const double secs = seconds_now() - t0;
    size_t words = 0;
    for (const auto& d : w.corpus) {
        auto count = [&](const std::string& s) {
            bool in = false;
            for (char c : s) {
                bool sp = c == ' ' || c == '\n' || c == '\t';
                if (!sp && !in) words++;
                in = !sp;
            }
        };
        if (d.is_chat)
            for (const auto& m : d.chat.messages) count(m.content);
        else
            count(d.text);
    }
    printf("world: %zu documents, %zu words, %.1f MB corpus, %zu lexicon phrases, %zu finetune sets, %.2f s\n",
           w.corpus.size(), words, (double)files[0].bytes / 1e6, w.lexicon.entries.size(), w.finetune.size(), secs);
    for (const auto& f : files) printf("  %s  %s\n", hex64(f.hash).c_str(), f.rel.c_str());
    if (a.has("export")) {
        std::vector<std::string> skipped;
        for (const auto& f : world::export_world(w, a.str("export"), &skipped))
            printf("  %s  %s/%s (exported)\n", hex64(f.hash).c_str(), a.str("export").c_str(), f.rel.c_str());
        for (const auto& e : skipped)
            printf("  %s/%s not exported: its world is other facts (experiment.toml `facts`, default ../world)\n",
                   a.str("export").c_str(), e.c_str());
    }
    return 0;
}

}  // namespace wg
