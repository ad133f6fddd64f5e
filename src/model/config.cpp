#include "model/config.h"

#include <cmath>

#include "core/error.h"
#include "core/fileio.h"
#include "core/toml_read.h"

namespace wg {

std::string ModelConfig::describe() const {
    return strfmt("layers %d, width %d, heads %d, context %d, vocab %d%s%s", n_layer, n_embd, n_head, context,
                  vocab, lora_rank ? strfmt(", LoRA rank %d alpha %g", lora_rank, lora_alpha).c_str() : "",
                  prompt_len ? strfmt(", soft prompt of %d tokens", prompt_len).c_str() : "");
}

const char* method_name(Method m) {
    switch (m) {
        case Method::Full: return "full";
        case Method::Lora: return "lora";
        case Method::Bitfit: return "bitfit";
        case Method::Prompt: return "prompt";
    }
    return "?";
}

bool method_from_name(const std::string& name, Method* m) {
    for (Method x : {Method::Full, Method::Lora, Method::Bitfit, Method::Prompt})
        if (name == method_name(x)) {
            *m = x;
            return true;
        }
    return false;
}

namespace {

// The sizes of [model], each between 1 and its max: checked on the 64-bit TOML value when a config is
// read (so that nothing wraps into int), and again by validate() on a config from a checkpoint.
struct SizeKey {
    const char* key;
    int ModelConfig::*field;
    int max;
};
const SizeKey kSizes[] = {{"n_layer", &ModelConfig::n_layer, 64},
                          {"n_embd", &ModelConfig::n_embd, 8192},
                          {"n_head", &ModelConfig::n_head, 256},
                          {"context", &ModelConfig::context, 8192},
                          {"vocab", &ModelConfig::vocab, 1 << 20}};

}  // namespace

void validate(const ModelConfig& m, const std::string& where) {
    for (const SizeKey& s : kSizes)
        if (m.*s.field <= 0 || m.*s.field > s.max)
            fail("%s: [model] %s = %d: must be between 1 and %d", where.c_str(), s.key, m.*s.field, s.max);
    if (m.n_embd % m.n_head != 0)
        fail("%s: [model] n_head = %d does not divide n_embd = %d", where.c_str(), m.n_head, m.n_embd);
    if (m.lora_rank < 0 || m.lora_rank > m.n_embd)
        fail("%s: [lora] rank = %d: must be between 0 and n_embd = %d", where.c_str(), m.lora_rank, m.n_embd);
    if (m.lora_rank > 0 && !(std::isfinite(m.lora_alpha) && m.lora_alpha > 0))
        fail("%s: [lora] alpha = %g: must be a positive number", where.c_str(), (double)m.lora_alpha);
    if (m.prompt_len < 0 || m.prompt_len >= m.context)
        fail("%s: soft prompt of %d tokens: must be between 0 and the context %d", where.c_str(), m.prompt_len,
             m.context);
    if (m.vocab < 261 + 1)
        fail("%s: [model] vocab = %d: must exceed the 5 special and 256 byte tokens", where.c_str(), m.vocab);
}

RunConfig parse_run_config(const std::string& text, const std::string& name) {
    toml::table root = parse_toml_string(text, name);
    TomlTable top{root, name, ""};
    top.only({"model", "train", "lora"});
    RunConfig rc;
    rc.text = text;
    if (const toml::table* t = top.table("model")) {
        TomlTable m{*t, name, "model"};
        m.only({"n_layer", "n_embd", "n_head", "context", "vocab"});
        for (const SizeKey& s : kSizes) rc.model.*s.field = (int)m.integer(s.key, rc.model.*s.field, 1, s.max);
        validate(rc.model, name);
    }
    TrainConfig& tc = rc.train;
    if (const toml::table* t = top.table("train")) {
        TomlTable s{*t, name, "train"};
        s.only({"steps", "epochs", "batch", "lr", "min_lr", "warmup", "weight_decay", "beta1", "beta2", "eps",
                "clip", "seed", "method", "layers", "log_every", "checkpoint_every", "replay", "prompt_tokens",
                "prompt_init_merges"});
        const int64_t big = int64_t(1) << 40;
        tc.steps = s.integer("steps", tc.steps, 0, big);
        tc.epochs = s.integer("epochs", tc.epochs, 0, big);
        tc.batch = (int)s.integer("batch", tc.batch, 1, 1 << 20);
        tc.lr = (float)s.number("lr", tc.lr, 1e-12, 1e3);
        tc.min_lr = (float)s.number("min_lr", tc.min_lr, 0, 1);
        tc.warmup = s.integer("warmup", tc.warmup, 0, big);
        tc.weight_decay = (float)s.number("weight_decay", tc.weight_decay, 0, 1e3);
        tc.beta1 = (float)s.number("beta1", tc.beta1, 0, 0.999999);
        tc.beta2 = (float)s.number("beta2", tc.beta2, 0, 0.999999);
        tc.eps = (float)s.number("eps", tc.eps, 1e-30, 1);
        tc.clip = (float)s.number("clip", tc.clip, 0, 1e30);
        tc.seed = (uint64_t)s.integer("seed", (int64_t)tc.seed, 0, INT64_MAX);
        tc.log_every = s.integer("log_every", tc.log_every, 0, big);
        tc.checkpoint_every = s.integer("checkpoint_every", tc.checkpoint_every, 0, big);
        tc.replay = (float)s.number("replay", tc.replay, 0, 100);
        tc.prompt_tokens = (int)s.integer("prompt_tokens", tc.prompt_tokens, 1, 1024);
        tc.prompt_init_merges = (int)s.integer("prompt_init_merges", tc.prompt_init_merges, 0, 1 << 20);
        std::string method = s.string("method", "full");
        if (!method_from_name(method, &tc.method))
            fail("%s: method = \"%s\": expected \"full\", \"lora\", \"bitfit\" or \"prompt\"", s.where("method").c_str(),
                  method.c_str());
        for (int64_t l : s.integers("layers", 0, 1 << 20)) tc.layers.push_back((int)l);
    }
    if (const toml::table* t = top.table("lora")) {
        TomlTable l{*t, name, "lora"};
        l.only({"rank", "alpha"});
        tc.lora_rank = (int)l.integer("rank", tc.lora_rank, 1, 1024);
        tc.lora_alpha = (float)l.number("alpha", tc.lora_alpha, 1e-6, 1e6);
    }
    return rc;
}

RunConfig load_run_config(const std::string& path) { return parse_run_config(read_file(path), path); }

}  // namespace wg
