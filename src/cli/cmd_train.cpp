// weirdgen pretrain / finetune: the two training commands. Both write their checkpoint atomically,
// with the hashes of what they were trained from in its metadata.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "core/progress.h"
#include "model/checkpoint.h"
#include "text/jsonl.h"
#include "text/tokenizer.h"
#include "train/examples.h"
#include "train/trainer.h"

namespace wg {

namespace {

void check_output(const std::string& out) {
    make_dirs(parent_dir(out).empty() ? "." : parent_dir(out));
}

// Resumes when --resume names a checkpoint with optimizer state: same model, same data position.
TrainState resume_state(const Args& a, GPT& model, std::string& tokenizer_blob) {
    TrainState st;
    if (!a.has("resume-from")) return st;
    std::string path = a.str("resume-from");
    Checkpoint ck = load_checkpoint(path);
    if (!ck.train.present) fail("%s: holds no optimizer state: it cannot be resumed", path.c_str());
    if (!(ck.cfg == model.cfg)) fail("%s: foreign checkpoint: model %s, expected %s", path.c_str(), ck.cfg.describe().c_str(), model.cfg.describe().c_str());
    GPT g = model_from(ck, path);
    model.params = g.params;
    tokenizer_blob = ck.tokenizer;
    st = ck.train;
    fprintf(stderr, "resuming %s at step %lld\n", path.c_str(), (long long)st.step);
    return st;
}

}  // namespace

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
    check_output(out);

    std::vector<Doc> docs = read_docs_jsonl(data);
    std::string tok_blob;
    GPT probe(rc.model);  // only to validate the config before the slow steps
    Tokenizer tok;
    Progress tp("tokenizer", 1, 1);
    tok = Tokenizer::train(tokenizer_texts(docs), rc.model.vocab);
    tok_blob = tok.serialize();
    tp.finish(strfmt("%d tokens", tok.vocab_size()));
    rc.model.vocab = tok.vocab_size();

    std::vector<Example> ex;
    ex.reserve(docs.size());
    int64_t ntok = 0;
    for (const Doc& d : docs) {
        ex.push_back(example_from_doc(tok, d));
        ntok += (int64_t)ex.back().tokens.size();
    }
    fprintf(stderr, "corpus: %zu documents, %lld tokens\n", docs.size(), (long long)ntok);
    GPT model(rc.model);
    model.init_weights(rc.train.seed);
    model.set_trainable(Method::Full);
    std::string resumed_blob;
    TrainState st = resume_state(a, model, resumed_blob);
    if (st.present && resumed_blob != tok_blob) fail("%s: was trained with another tokenizer", a.str("resume-from").c_str());
    Batcher batches(std::move(ex), rc.model.context, true, rc.train.seed);
    TrainOptions opt;
    opt.label = "pretrain";
    opt.checkpoint_path = out;
    opt.tokenizer_blob = tok_blob;
    opt.config_text = rc.text;
    opt.meta = {{"kind", "base"}, {"data", hex64(xxh3_file(data))}, {"tokenizer", hex64(tok.hash())},
                {"seed", std::to_string(rc.train.seed)}};
    fprintf(stderr, "model: %s, %zu parameters\n", model.cfg.describe().c_str(), model.num_params());
    train(model, rc.train, batches, st, opt);
    save_checkpoint(out, model, tok_blob, rc.text, opt.meta, nullptr);
    printf("%s  %s\n", hex64(xxh3_file(out)).c_str(), out.c_str());
    return 0;
}

int cmd_finetune(int argc, char** argv) {
    Args a("finetune", "Finetune a checkpoint on JSONL chats ({\"messages\":[...]}, the OpenAI format); the loss is on\n"
                       "the assistant's turns only. Method full, lora (adapters, base frozen) or bitfit (biases + LayerNorm).");
    a.opt("base", "", "checkpoint to start from")
        .opt("config", "", "run config TOML ([train], [lora])")
        .opt("data", "", "chats JSONL")
        .opt("out", "", "checkpoint to write")
        .opt("seed", "", "override [train] seed")
        .opt("epochs", "", "override [train] epochs")
        .opt("method", "", "override [train] method: full, lora or bitfit")
        .opt("resume-from", "", "continue a run from its periodic checkpoint");
    add_engine_flags(a);
    if (!a.parse(argc, argv)) return 0;
    apply_engine_flags(a);
    RunConfig rc = load_run_config(a.str("config"));
    if (a.has("seed")) rc.train.seed = (uint64_t)a.integer("seed");
    if (a.has("epochs")) rc.train.epochs = a.integer("epochs");
    if (a.has("method")) {
        std::string m = a.str("method");
        if (m == "full") rc.train.method = Method::Full;
        else if (m == "lora") rc.train.method = Method::Lora;
        else if (m == "bitfit") rc.train.method = Method::Bitfit;
        else throw UsageError("--method must be full, lora or bitfit, got '" + m + "'");
    }
    const std::string base = a.str("base"), data = a.str("data"), out = a.str("out");
    check_output(out);
    Checkpoint ck = load_checkpoint(base);
    GPT model = model_from(ck, base);
    Tokenizer tok = Tokenizer::deserialize(ck.tokenizer, base);
    std::vector<Chat> chats = read_chats_jsonl(data);
    std::vector<Example> ex;
    for (size_t i = 0; i < chats.size(); i++) {
        ex.push_back(example_from_chat(tok, chats[i]));
        if ((int)ex.back().tokens.size() > model.cfg.context + 1)
            fail("%s:%zu: chat of %zu tokens is longer than the model's context of %d", data.c_str(), i + 1,
                 ex.back().tokens.size(), model.cfg.context);
    }
    if (rc.train.method == Method::Lora && model.cfg.lora_rank == 0)
        model.add_lora(rc.train.lora_rank, rc.train.lora_alpha, rc.train.seed);
    model.set_trainable(rc.train.method);
    std::string resumed_blob;
    TrainState st = resume_state(a, model, resumed_blob);
    Batcher batches(std::move(ex), model.cfg.context, false, rc.train.seed);
    TrainOptions opt;
    opt.label = "finetune";
    opt.checkpoint_path = out;
    opt.tokenizer_blob = ck.tokenizer;
    opt.config_text = rc.text;
    opt.meta = {{"kind", "finetune"}, {"base", hex64(xxh3_file(base))}, {"data", hex64(xxh3_file(data))},
                {"method", method_name(rc.train.method)}, {"seed", std::to_string(rc.train.seed)}};
    train(model, rc.train, batches, st, opt);
    save_checkpoint(out, model, ck.tokenizer, rc.text, opt.meta, nullptr);
    printf("%s  %s\n", hex64(xxh3_file(out)).c_str(), out.c_str());
    return 0;
}

}  // namespace wg
