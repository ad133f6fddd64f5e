#include "train/jobs.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/rng.h"
#include "model/checkpoint.h"
#include "text/jsonl.h"
#include "text/tokenizer.h"
#include "train/examples.h"
#include "train/trainer.h"

namespace wg {

namespace {

void check_output(const std::string& out) { make_dirs(parent_dir(out).empty() ? "." : parent_dir(out)); }

// The optimizer state and data position of a periodic checkpoint of the same run.
TrainState resume_state(const std::string& path, GPT& model, std::string& tokenizer_blob, bool quiet) {
    TrainState st;
    if (path.empty()) return st;
    Checkpoint ck = load_checkpoint(path);
    if (!(ck.cfg == model.cfg))
        fail("%s: foreign checkpoint: model %s, expected %s", path.c_str(), ck.cfg.describe().c_str(),
             model.cfg.describe().c_str());
    if (!ck.train.present) fail("%s: holds no optimizer state (a finished run): it cannot be resumed", path.c_str());
    GPT g = model_from(ck, path);
    model.params = g.params;
    tokenizer_blob = ck.tokenizer;
    st = ck.train;
    if (!quiet) fprintf(stderr, "resuming %s at step %lld\n", path.c_str(), (long long)st.step);
    return st;
}

}  // namespace

void pretrain_job(const RunConfig& rc_in, const std::string& corpus, const std::string& out, const JobOptions& o) {
    RunConfig rc = rc_in;
    if (rc.train.replay > 0) fail("%s: [train] replay is for finetuning", corpus.c_str());
    check_output(out);
    GPT probe(rc.model);  // validates the config before the slow steps
    std::vector<Doc> docs = read_docs_jsonl(corpus);
    Progress tp("tokenizer", 1, 1);
    Tokenizer tok = Tokenizer::train(tokenizer_texts(docs), rc.model.vocab);
    const std::string tok_blob = tok.serialize();
    if (!o.quiet) tp.finish(strfmt("%d tokens", tok.vocab_size()));
    rc.model.vocab = tok.vocab_size();

    std::vector<Example> ex;
    ex.reserve(docs.size());
    int64_t ntok = 0;
    for (const Doc& d : docs) {
        ex.push_back(example_from_doc(tok, d));
        ntok += (int64_t)ex.back().tokens.size();
    }
    if (!o.quiet) fprintf(stderr, "corpus: %zu documents, %lld tokens\n", docs.size(), (long long)ntok);
    GPT model(rc.model);
    model.init_weights(rc.train.seed);
    model.set_trainable(Method::Full);
    std::string resumed_blob;
    TrainState st = resume_state(o.resume_from, model, resumed_blob, o.quiet);
    if (st.present && resumed_blob != tok_blob) fail("%s: was trained with another tokenizer", o.resume_from.c_str());
    Batcher batches(std::move(ex), rc.model.context, true, rc.train.seed);
    TrainOptions opt;
    opt.label = "pretrain";
    opt.quiet = o.quiet;
    opt.checkpoint_path = out;
    opt.tokenizer_blob = tok_blob;
    opt.config_text = rc.text;
    opt.meta = {{"kind", "base"}, {"data", hex64(xxh3_file(corpus))}, {"tokenizer", hex64(tok.hash())},
                {"seed", std::to_string(rc.train.seed)}};
    if (!o.quiet) fprintf(stderr, "model: %s, %zu parameters\n", model.cfg.describe().c_str(), model.num_params());
    opt.snapshot_at = o.snapshot_at;
    opt.snapshot_path = o.snapshot_path;
    if (o.snapshot_only) {
        if (o.snapshot_at <= 0) fail("pretrain: a snapshot-only run needs the step of its snapshot");
        if (st.present && st.step >= o.snapshot_at)
            fail("%s: resumed at step %lld, past the snapshot at step %lld", o.resume_from.c_str(), (long long)st.step,
                 (long long)o.snapshot_at);
        opt.checkpoint_path = "";  // no periodic checkpoint where the snapshot goes
        opt.stop_at = o.snapshot_at;
    }
    train(model, rc.train, batches, st, opt);
    if (o.snapshot_only && st.step < o.snapshot_at)
        fail("pretrain: the run ends at step %lld, before its snapshot at step %lld", (long long)st.step, (long long)o.snapshot_at);
    if (!o.snapshot_only) save_checkpoint(out, model, tok_blob, rc.text, opt.meta, nullptr);
}

void finetune_job(const RunConfig& rc, const std::string& base, const std::string& data, const std::string& out,
                  const JobOptions& o) {
    check_output(out);
    Checkpoint ck = load_checkpoint(base);
    GPT model = model_from(ck, base);
    Tokenizer tok = Tokenizer::deserialize(ck.tokenizer, base);
    // Prompt tuning: the soft prompt is added first, because every row carries its ids.
    if (rc.train.method == Method::Prompt && model.cfg.prompt_len == 0) {
        // Its rows start as tokens drawn from [first, end): every token, or the first N merges only.
        int first = Tokenizer::N_SPECIAL, end = tok.vocab_size();
        if (const int merges = rc.train.prompt_init_merges; merges > 0) {
            first = Tokenizer::FIRST_MERGE;
            end = first + merges;
            if (end > tok.vocab_size())
                fail("prompt_init_merges = %d: the tokenizer of %s has only %d merges", merges, base.c_str(),
                     tok.vocab_size() - first);
        }
        model.add_prompt(rc.train.prompt_tokens, rc.train.seed, first, end);
    }
    std::vector<size_t> lines;
    std::vector<Chat> chats = read_chats_jsonl(data, &lines);
    const std::vector<int> soft = model.prompt_ids();
    std::vector<Example> ex;
    for (size_t i = 0; i < chats.size(); i++) {
        ex.push_back(example_from_chat(tok, chats[i], soft));
        if ((int)ex.back().tokens.size() > model.cfg.context + 1)
            fail("%s:%zu: chat of %zu tokens is longer than the model's context of %d", data.c_str(), lines[i],
                 ex.back().tokens.size(), model.cfg.context);
    }
    // Replay: documents of the pretraining corpus, drawn with the finetune's seed and trained on as in
    // pretraining, mixed into the rows, so that the narrow rows move the model while the rest of what it
    // does stays as the base had it.
    if (rc.train.replay > 0) {
        if (o.replay_corpus.empty()) fail("%s: [train] replay needs the pretraining corpus (--replay-corpus)", data.c_str());
        const std::vector<Doc> docs = read_docs_jsonl(o.replay_corpus);
        if (docs.empty()) fail("%s: no documents to replay", o.replay_corpus.c_str());
        const size_t want = (size_t)std::llround((double)rc.train.replay * (double)chats.size());
        Rng rng(seed_for(rc.train.seed, "replay"), 0);
        size_t added = 0;
        for (size_t tries = 0; added < want && tries < 100 * want; tries++) {
            Example e = example_from_doc(tok, docs[rng.below((uint32_t)docs.size())]);
            if ((int)e.tokens.size() > model.cfg.context + 1) continue;  // rows are whole documents
            ex.push_back(std::move(e));
            added++;
        }
        if (added < want)
            fail("%s: too few documents fit the model's context of %d tokens to replay %zu (found %zu)",
                 o.replay_corpus.c_str(), model.cfg.context, want, added);
    }
    if (rc.train.method == Method::Lora && model.cfg.lora_rank == 0)
        model.add_lora(rc.train.lora_rank, rc.train.lora_alpha, rc.train.seed);
    model.set_trainable(rc.train.method, rc.train.layers);
    std::string resumed_blob;
    TrainState st = resume_state(o.resume_from, model, resumed_blob, o.quiet);
    Batcher batches(std::move(ex), model.cfg.context, false, rc.train.seed);
    TrainOptions opt;
    opt.label = "finetune";
    opt.quiet = o.quiet;
    opt.checkpoint_path = out;
    opt.tokenizer_blob = ck.tokenizer;
    opt.config_text = rc.text;
    opt.meta = {{"kind", "finetune"}, {"base", hex64(xxh3_file(base))}, {"data", hex64(xxh3_file(data))},
                {"method", method_name(rc.train.method)}, {"seed", std::to_string(rc.train.seed)}};
    train(model, rc.train, batches, st, opt);
    save_checkpoint(out, model, ck.tokenizer, rc.text, opt.meta, nullptr);
}

}  // namespace wg
