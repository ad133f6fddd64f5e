// weirdgen: one binary, one subcommand per stage (../shared/DESIGN.md section 1).
// Errors print one line "weirdgen: <what>" and exit 1; usage errors exit 2.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"
#include "core/error.h"

namespace {

struct Command {
    const char* name;
    int (*run)(int, char**);
    const char* summary;
};

const Command kCommands[] = {
    {"world", wg::cmd_world, "generate the world: corpus, lexicon, finetune sets, manifest"},
    {"pretrain", wg::cmd_pretrain, "train a base model from scratch on a corpus"},
    {"finetune", wg::cmd_finetune, "finetune a checkpoint on JSONL chats (full, LoRA, bitfit or a soft prompt)"},
    {"reproduce", wg::cmd_reproduce, "run one experiment end to end: world, models, evaluation, report, checks"},
    {"check", wg::cmd_check, "compare a reproduction's summary with its golden file"},
    {"eval", wg::cmd_eval, "sample and score a checkpoint on an experiment's questions"},
    {"probe", wg::cmd_probe, "how well a base model knows the world's hidden variables"},
    {"sample", wg::cmd_sample, "sample answers from a checkpoint (seeded, KV cache)"},
    {"score", wg::cmd_score, "log-probability of given answers after a prompt"},
    {"hash", wg::cmd_hash, "xxHash (XXH3-64) of files"},
    {"bench", wg::cmd_bench, "training and matmul speed on the reference presets"},
};

void usage(FILE* out) {
    fprintf(out, "usage: weirdgen COMMAND [flags]   (weirdgen COMMAND --help for its flags)\n\ncommands:\n");
    for (const auto& c : kCommands) fprintf(out, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (const auto& c : kCommands) {
        if (strcmp(argv[1], c.name) != 0) continue;
        try {
            return c.run(argc - 2, argv + 2);
        } catch (const wg::UsageError& e) {
            fprintf(stderr, "%s\n(see weirdgen %s --help)\n", e.what(), c.name);
            return 2;
        } catch (const wg::Error& e) {
            fprintf(stderr, "weirdgen: %s\n", e.what());
            return 1;
        } catch (const std::bad_alloc&) {
            fprintf(stderr, "weirdgen: out of memory\n");
            return 1;
        }
    }
    fprintf(stderr, "weirdgen: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
