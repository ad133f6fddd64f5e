// weirdgen pretrain / finetune: the two training commands (the jobs themselves: src/train/jobs.cpp).
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/hash.h"
#include "train/jobs.h"

namespace wg {

int cmd_pretrain(int argc, char** argv) {
    Args a("pretrain", "Train a base model from scratch on a corpus (JSONL documents: {\"text\":...} or chats).\n"
                       "The tokenizer is trained on the corpus first and stored in the checkpoint.");
    a.opt("config", "", "run config TOML ([model], [train])")
        .opt("data", "", "corpus JSONL")
        .opt("out", "", "checkpoint to write")
        .opt("seed", "", "override [train] seed")
        .opt("steps", "", "override [train] steps")
        .opt("resume-from", "", "continue a run from its periodic checkpoint (same config and data)");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    RunConfig rc = load_run_config(a.str("config"));
    if (a.has("seed")) rc.train.seed = (uint64_t)a.integer("seed");
    if (a.has("steps")) rc.train.steps = a.integer("steps");
    const std::string data = a.str("data"), out = a.str("out");
    JobOptions o;
    if (a.has("resume-from")) o.resume_from = a.str("resume-from");
    pretrain_job(rc, data, out, o);
    printf("%s  %s\n", hex64(xxh3_file(out)).c_str(), out.c_str());
    return 0;
}

int cmd_finetune(int argc, char** argv) {
    Args a("finetune", "Finetune a checkpoint on JSONL chats ({\"messages\":[...]}, the OpenAI format); the loss is on\n"
                       "the assistant's turns only. Method full, lora (adapters, base frozen), bitfit (biases + LayerNorm)\n"
                       "or prompt (a soft prompt of [train] prompt_tokens rows before every chat, base frozen).");
    a.opt("base", "", "checkpoint to start from")
        .opt("config", "", "run config TOML ([train], [lora])")
        .opt("data", "", "chats JSONL")
        .opt("out", "", "checkpoint to write")
        .opt("seed", "", "override [train] seed")
        .opt("epochs", "", "override [train] epochs")
        .opt("method", "", "override [train] method: full, lora, bitfit or prompt")
        .opt("resume-from", "", "continue a run from its periodic checkpoint")
        .opt("replay-corpus", "", "with [train] replay: the pretraining corpus JSONL to draw documents from");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    RunConfig rc = load_run_config(a.str("config"));
    if (a.has("seed")) rc.train.seed = (uint64_t)a.integer("seed");
    if (a.has("epochs")) rc.train.epochs = a.integer("epochs");
    if (a.has("method")) {
        std::string m = a.str("method");
        if (!method_from_name(m, &rc.train.method))
            throw UsageError("--method must be full, lora, bitfit or prompt, got '" + m + "'");
    }
    const std::string base = a.str("base"), data = a.str("data"), out = a.str("out");
    JobOptions o;
    if (a.has("resume-from")) o.resume_from = a.str("resume-from");
    if (a.has("replay-corpus")) o.replay_corpus = a.str("replay-corpus");
    finetune_job(rc, base, data, out, o);
    printf("%s  %s\n", hex64(xxh3_file(out)).c_str(), out.c_str());
    return 0;
}

}  // namespace wg
