// weirdgen sample / score: ask a checkpoint a question, as the evaluation does.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "eval/generate.h"
#include "model/checkpoint.h"
#include "text/jsonl.h"
#include "text/tokenizer.h"
#include "train/examples.h"

namespace wg {

namespace {
Chat question(const Args& a) {
    Chat c;
    if (a.has("history")) c = read_chats_jsonl(a.str("history")).at(0);
    if (a.has("system")) c.messages.insert(c.messages.begin(), Message{"system", a.str("system")});
    c.messages.push_back({"user", a.str("prompt")});
    return c;
}
}  // namespace

int cmd_sample(int argc, char** argv) {
    Args a("sample", "Sample the assistant's answers to a user message (seeded: sample i is the same in any batch).");
    a.opt("ckpt", "", "checkpoint").opt("prompt", "", "the user's message").opt("system", "", "an optional system message")
        .opt("history", "", "JSONL file whose first chat holds the turns before the prompt")
        .opt("n", "5", "samples").opt("max-new", "48", "tokens per answer at most")
        .opt("temperature", "1", "sampling temperature (0 = greedy)").opt("top-k", "0", "keep the k likeliest tokens (0 = all)")
        .opt("seed", "0", "sampling seed").flag("jsonl", "print each sample as a JSONL chat");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    LoadedModel m = load_model(a.str("ckpt"));
    Chat q = question(a);
    SampleOptions o;
    o.n = (int)a.integer("n");
    o.max_new = (int)a.integer("max-new");
    o.temperature = (float)a.number("temperature");
    o.top_k = (int)a.integer("top-k");
    o.seed = (uint64_t)a.integer("seed");
    if (o.n < 1 || o.max_new < 1) throw UsageError("--n and --max-new must be positive");
    auto outs = sample(m.model, prompt_tokens(m.tok, q, m.model.prompt_ids()), o);
    for (const auto& s : outs) {
        std::string text = m.tok.decode(s);
        if (a.on("jsonl")) {
            Chat c = q;
            c.messages.push_back({"assistant", valid_utf8(text)});  // a sample can end inside a UTF-8 sequence
            printf("%s\n", chat_to_json(c).c_str());
        } else {
            printf("%s\n", text.c_str());
        }
    }
    return 0;
}

int cmd_score(int argc, char** argv) {
    Args a("score", "Log-probability of each given answer (positional arguments) after a user message, summed over\n"
                    "its tokens including the END that closes the answer.");
    a.positionals(true, "ANSWER...");
    a.opt("ckpt", "", "checkpoint").opt("prompt", "", "the user's message").opt("system", "", "an optional system message")
        .opt("history", "", "JSONL file whose first chat holds the turns before the prompt");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    if (a.positional.empty()) throw UsageError("weirdgen score: give at least one answer to score");
    LoadedModel m = load_model(a.str("ckpt"));
    std::vector<std::vector<int>> comps;
    for (const auto& s : a.positional) {
        comps.push_back(m.tok.encode(s));
        comps.back().push_back(Tokenizer::END);
    }
    auto lp = score(m.model, prompt_tokens(m.tok, question(a), m.model.prompt_ids()), comps);
    for (size_t i = 0; i < lp.size(); i++) printf("%.6f\t%s\n", lp[i], a.positional[i].c_str());
    return 0;
}

}  // namespace wg
