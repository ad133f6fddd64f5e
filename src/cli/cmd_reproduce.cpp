// weirdgen reproduce NAME: the whole experiment, cached stage by stage (src/repro/pipeline.h), then the
// report and the checks. weirdgen check: compare a run's summary with a golden file.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/toml_read.h"
#include "repro/check.h"
#include "repro/pipeline.h"
#include "repro/report.h"

namespace wg {

namespace {

std::map<std::string, std::string> hashes_of(const ReproRun& run) {
    std::map<std::string, std::string> h;
    for (const auto& a : run.artifacts) h[a.name] = a.hash;
    return h;
}

// golden/terminator.toml -> golden/terminator.base.ckpt
std::string golden_base_path(const std::string& golden) {
    const std::string ext = ".toml";
    const bool toml = golden.size() > ext.size() && golden.compare(golden.size() - ext.size(), ext.size(), ext) == 0;
    return (toml ? golden.substr(0, golden.size() - ext.size()) : golden) + ".base.ckpt";
}

}  // namespace

int cmd_reproduce(int argc, char** argv) {
    Args a("reproduce", "Run one experiment end to end: world -> base model -> finetunes -> evaluation -> report ->\n"
                        "checks (the experiment's bar, and golden/<name>.toml for the default seed). Every stage is\n"
                        "cached by the hash of its inputs, so a second run only redoes what changed.");
    a.positionals(true, "NAME (terminator, birds, german-cities, or a path to an experiment.toml)");
    a.opt("seed", "", "world and pretraining seed (default: the experiment's)")
        .opt("threads", "2", "threads (results are the same bits for any count)")
        .opt("cache", "cache", "folder of cached artifacts")
        .opt("reports", "reports", "folder of reports")
        .opt("golden", "", "golden file (default: golden/<name>.toml)")
        .opt("committed-base", "", "with no base in the cache: use this checkpoint (golden/<name>.base.ckpt) instead of\n"
                                   "pretraining, if it was trained from this run's inputs; the first 100 steps (or\n"
                                   "fewer in a shorter run) are still trained, unless cached, and compared")
        .flag("write-golden", "write the golden file from this run (for maintainers; needs --note)")
        .opt("note", "", "with --write-golden: why the new golden values are right (kept in the file)");
    if (!a.parse(argc, argv)) return 0;
    if (a.positional.size() != 1) throw UsageError("weirdgen reproduce: give one experiment (e.g. terminator)");
    // A golden file changes only with a reason written beside it; ask before the run, not after.
    if (a.on("write-golden") && !a.has("note"))
        throw UsageError("--write-golden needs --note \"why the new values are right\"");
    if (a.has("note") && !a.on("write-golden")) throw UsageError("--note goes with --write-golden");
    ReproOptions o;
    o.cache = a.str("cache");
    o.reports = a.str("reports");
    o.threads = (int)a.integer("threads");
    if (o.threads < 1) throw UsageError("--threads must be positive");
    if (a.has("seed")) {
        o.seed_given = true;
        o.seed = (uint64_t)a.integer("seed");
    }
    Experiment e = load_experiment(experiment_path(a.positional[0]));
    if (a.on("write-golden") && !is_default_seed(e, o))
        throw UsageError("--write-golden is for the experiment's default seed");
    o.golden = a.has("golden") ? a.str("golden") : "golden/" + e.name + ".toml";
    if (a.has("committed-base")) o.committed_base = a.str("committed-base");
    if (!o.committed_base.empty() && a.on("write-golden"))
        throw UsageError("--write-golden writes the golden base: it cannot take one from --committed-base");
    if (!o.committed_base.empty() && !file_exists(o.committed_base))
        throw Error(o.committed_base + ": no such file (--committed-base)");
    ReproRun run = run_pipeline(e, o);

    ValueFn value = [&](const std::string& k) { return run.results.value(k); };
    auto bar = check_bars(e.bars, value);
    std::vector<CheckLine> golden;
    if (a.on("write-golden")) {
        // The base beside its golden file, so that `make test` can check everything after the pretraining
        // without running it all again (--committed-base). Written first: a golden file never names a
        // base that is not there.
        const std::string base_out = golden_base_path(o.golden);
        for (const auto& art : run.artifacts)
            if (art.name == "base" && !same_file(art.path, base_out)) {
                write_file_atomic(base_out, read_file(art.path));
                fprintf(stderr, "wrote %s\n", base_out.c_str());
            }
        write_file_atomic(o.golden, golden_toml(e.name, a.str("note"), hashes_of(run), e.bars, value));
        fprintf(stderr, "wrote %s\n", o.golden.c_str());
    }
    if (run.default_seed) {
        if (file_exists(o.golden)) golden = check_golden(o.golden, hashes_of(run), value);
        else golden.push_back({"golden file " + o.golden, "missing (a maintainer creates it with --write-golden)", false});
    }
    write_report(run, bar, golden);
    int bar_fail = print_checks("the bar (" + e.file + "):", bar);
    int golden_fail = run.default_seed ? print_checks("golden (" + o.golden + "):", golden) : 0;
    printf("report: %s/README.md\n", run.report_dir.c_str());
    if (bar_fail) printf("the bar: %d line(s) not met (see the report)\n", bar_fail);
    if (golden_fail) {
        printf("golden check FAILED: %d line(s)\n", golden_fail);
        return 1;
    }
    if (run.default_seed) printf("golden check passed\n");
    return 0;
}

int cmd_check(int argc, char** argv) {
    Args a("check", "Compare a reproduction's summary (reports/<name>/summary.toml) with its golden file; exits 1 on\n"
                    "any miss, naming it.");
    a.opt("summary", "", "summary.toml written by weirdgen reproduce").opt("golden", "", "golden TOML");
    if (!a.parse(argc, argv)) return 0;
    toml::table s = parse_toml_file(a.str("summary"));
    std::map<std::string, std::string> hashes;
    if (const toml::table* h = s["hashes"].as_table())
        for (const auto& [k, v] : *h) hashes[std::string(k.str())] = v.value_or(std::string());
    const toml::table* values = s["values"].as_table();
    ValueFn value = [&](const std::string& expr) {
        return eval_expr(expr, [&](const std::string& key) {
            const toml::node* n = values ? values->get(key) : nullptr;
            if (!n) fail("%s: no value \"%s\"", a.str("summary").c_str(), key.c_str());
            return n->value_or(0.0);
        });
    };
    int failed = print_checks("golden (" + a.str("golden") + "):", check_golden(a.str("golden"), hashes, value));
    printf(failed ? "golden check FAILED: %d line(s)\n" : "golden check passed\n", failed);
    return failed ? 1 : 0;
}

}  // namespace wg
