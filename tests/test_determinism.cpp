// The determinism contract, end to end: 50 training steps of a tiny model give the same checkpoint
// bytes twice, on 1 or 2 threads, with the SIMD or the scalar kernels, after a kill-and-resume, and on
// any machine: the hash is committed in golden/engine.toml. Also: damaged checkpoints are refused.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <toml++/toml.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "helpers.h"
#include "kernels/kernels.h"
#include "model/checkpoint.h"
#include "train/jobs.h"
#include "train/trainer.h"

namespace K = wg::kernels;

namespace {

std::string tmp_path(const std::string& name) { return "/tmp/weirdgen_test_" + std::to_string(getpid()) + "_" + name; }

std::vector<wg::Example> sentences() {
    return test::byte_sentences({"the cat sat on the mat.", "a dog ran in the park.", "birds sing at dawn.",
                                 "the sun is warm today.", "we read old books.", "rain falls on the roof.",
                                 "the train left at noon.", "she plays the violin.", "he fixed the old clock."});
}

wg::ModelConfig tiny() {
    wg::ModelConfig c;
    c.n_layer = 2;
    c.n_embd = 32;
    c.n_head = 4;
    c.context = 32;
    c.vocab = 262;
    return c;
}

wg::TrainConfig tiny_train() {
    wg::TrainConfig tc;
    tc.steps = 50;
    tc.batch = 4;
    tc.lr = 3e-3f;
    tc.warmup = 5;
    tc.weight_decay = 0.1f;
    tc.seed = 42;
    tc.checkpoint_every = 20;
    return tc;
}

// Trains the tiny model (stopping after `stop_after` steps if > 0) and returns the checkpoint path.
std::string run(const std::string& name, int threads, K::Backend backend, int64_t stop_after = 0,
                const std::string& resume_from = "") {
    K::set_threads(threads);
    K::set_backend(backend);
    wg::GPT g(tiny());
    g.init_weights(42);
    wg::TrainState st;
    if (!resume_from.empty()) {
        wg::Checkpoint ck = wg::load_checkpoint(resume_from);
        g = wg::model_from(ck, resume_from);
        st = ck.train;
    }
    g.set_trainable(wg::Method::Full);
    wg::TrainConfig tc = tiny_train();
    wg::Batcher data(sentences(), g.cfg.context, true, tc.seed);
    wg::TrainOptions opt;
    opt.quiet = true;
    opt.config_text = "tiny";
    opt.checkpoint_path = tmp_path(name);
    opt.stop_at = stop_after;  // a run "killed" right after a checkpoint
    wg::train(g, tc, data, st, opt);
    if (stop_after == 0) wg::save_checkpoint(opt.checkpoint_path, g, "", "tiny", {}, &st);
    K::set_threads(1);
    K::set_backend(K::Backend::Simd);
    return opt.checkpoint_path;
}

std::string golden_hash() {
    toml::table t = toml::parse_file(WEIRDGEN_SOURCE_DIR "/golden/engine.toml");
    return t["tiny_run"]["checkpoint_xxh3"].value_or(std::string("missing"));
}

}  // namespace

TEST_CASE("50 tiny steps: same bytes twice, on 2 threads, scalar, after resume, and as committed", "[determinism]") {
    std::string a = run("a", 1, K::Backend::Simd);
    std::string h = wg::hex64(wg::xxh3_file(a));
    CHECK(wg::hex64(wg::xxh3_file(run("b", 1, K::Backend::Simd))) == h);
    CHECK(wg::hex64(wg::xxh3_file(run("c", 2, K::Backend::Simd))) == h);
    CHECK(wg::hex64(wg::xxh3_file(run("d", 1, K::Backend::Scalar))) == h);
    // Killed after step 20's checkpoint, resumed to the end.
    std::string partial = run("e", 1, K::Backend::Simd, 20);
    {
        wg::Checkpoint ck = wg::load_checkpoint(partial);
        REQUIRE(ck.train.step == 20);
    }
    CHECK(wg::hex64(wg::xxh3_file(run("f", 2, K::Backend::Simd, 0, partial))) == h);
    INFO("SIMD level " << K::simd_level() << "; if this machine is right, put this hash in golden/engine.toml");
    CHECK(h == golden_hash());
    for (const char* n : {"a", "b", "c", "d", "e", "f"}) unlink(tmp_path(n).c_str());
}

TEST_CASE("every truncation and every bit flip of a checkpoint is refused, naming the file", "[checkpoint]") {
    wg::ModelConfig c = tiny();
    c.n_layer = 1;
    c.n_embd = 8;
    c.n_head = 2;
    c.context = 4;
    wg::GPT g(c);
    g.init_weights(1);
    std::string path = tmp_path("ck");
    wg::save_checkpoint(path, g, "tok", "cfg", {{"kind", "test"}}, nullptr);
    std::string good = wg::read_file(path);
    REQUIRE(wg::model_from(wg::load_checkpoint(path), path).params == g.params);
    std::string bad = tmp_path("bad");
    // In memory (parse_checkpoint is what load_checkpoint runs on the file's bytes), so that every
    // one of the ~10^5 damaged forms can be tried.
    auto refused = [&](const std::string& bytes) {
        try {
            wg::parse_checkpoint(bytes, bad);
        } catch (const wg::Error& e) {
            return std::string(e.what()).find(bad) != std::string::npos;
        }
        return false;
    };
    size_t tried = 0, refusals = 0;
    for (size_t n = 0; n < good.size(); n++, tried++) refusals += refused(good.substr(0, n));
    for (size_t byte = 0; byte < good.size(); byte++)
        for (int bit = 0; bit < 8; bit++, tried++) {
            std::string flipped = good;
            flipped[byte] ^= (char)(1 << bit);
            refusals += refused(flipped);
        }
    INFO(good.size() << " bytes: " << tried << " damaged forms tried");
    REQUIRE(refusals == tried);
    // and through the file reader, the same: a truncated file on disk
    wg::write_file_atomic(bad, good.substr(0, good.size() / 2));
    REQUIRE_THROWS_WITH(wg::load_checkpoint(bad), Catch::Contains(bad));
    REQUIRE(refused("not a checkpoint at all"));
    // A tensor kind this build does not know, behind a valid checksum (found by the fuzzer): refused.
    {
        std::string odd = good;
        size_t at = odd.find("wte") + 3;  // the kind follows the tensor's name
        uint32_t kind = 99;
        memcpy(&odd[at], &kind, 4);
        uint64_t h = wg::xxh3(odd.data(), odd.size() - 8);
        memcpy(&odd[odd.size() - 8], &h, 8);
        REQUIRE_THROWS_WITH(wg::parse_checkpoint(odd, bad), Catch::Contains(bad) && Catch::Contains("unknown kind 99"));
    }
    // A checkpoint of another model is refused when a run expects a given config.
    wg::ModelConfig other = c;
    other.n_embd = 16;
    wg::GPT g2(other);
    wg::save_checkpoint(bad, g2, "tok", "cfg", {}, nullptr);
    wg::Checkpoint ck = wg::load_checkpoint(bad);
    REQUIRE_FALSE(ck.cfg == c);
    // A soft prompt (known by its tensor: the header is the same) comes back with its rows.
    g.add_prompt(2, 1, 5, c.vocab);
    wg::save_checkpoint(path, g, "tok", "cfg", {}, nullptr);
    wg::GPT back = wg::model_from(wg::load_checkpoint(path), path);
    REQUIRE(back.cfg.prompt_len == 2);
    REQUIRE(back.params == g.params);
    unlink(path.c_str());
    unlink(bad.c_str());
}

TEST_CASE("the CLI: a bad flag exits 2, a missing file exits 1 naming it", "[cli]") {
    auto status = [](const std::string& args) {
        int rc = std::system((std::string(WEIRDGEN_BIN) + " " + args + " >/dev/null 2>&1").c_str());
        return WEXITSTATUS(rc);
    };
    REQUIRE(status("pretrain --no-such-flag 1") == 2);
    REQUIRE(status("sample --n") == 2);
    REQUIRE(status("no-such-command") == 2);
    REQUIRE(status("pretrain --help") == 0);
    REQUIRE(status("hash /no/such/file") == 1);
    REQUIRE(status("sample --ckpt /no/such/file --prompt hi") == 1);
}

// `make test` checks a committed golden base by retraining only the first steps of its pretraining, so
// those steps run alone must write exactly the snapshot that the whole run writes on its way, and that
// snapshot must be a real state: resumed, it ends in the whole run's base.
TEST_CASE("a pretraining's early snapshot: the same bytes alone as within the whole run, and resumable to its base", "[determinism]") {
    const std::string corpus = tmp_path("snap_corpus.jsonl");
    std::string docs;
    for (int i = 0; i < 40; i++)
        docs += "{\"text\":\"document " + std::to_string(i) + ": the cat sat on the mat " + std::to_string(i * 7) + " times.\"}\n";
    wg::write_file_atomic(corpus, docs);
    const wg::RunConfig rc = wg::parse_run_config(
        "[model]\nn_layer = 1\nn_embd = 16\nn_head = 2\ncontext = 16\nvocab = 300\n"
        "[train]\nsteps = 12\nbatch = 4\nlr = 3e-3\nwarmup = 2\nseed = 5\n", "snap.toml");
    const std::string base = tmp_path("snap_base.ckpt"), within = tmp_path("snap_within.ckpt"),
                      alone = tmp_path("snap_alone.ckpt"), resumed = tmp_path("snap_resumed.ckpt");
    wg::JobOptions whole = wg::quiet_job();
    whole.snapshot_at = 5;
    whole.snapshot_path = within;
    wg::pretrain_job(rc, corpus, base, whole);
    wg::JobOptions only = whole;
    only.snapshot_path = alone;
    only.snapshot_only = true;
    K::set_threads(2);  // another thread count: the same bytes
    wg::pretrain_job(rc, corpus, alone, only);
    K::set_threads(1);
    REQUIRE(wg::file_exists(within));
    CHECK(wg::read_file(alone) == wg::read_file(within));
    CHECK(wg::load_checkpoint(alone).train.step == 5);
    wg::JobOptions resume = wg::quiet_job();
    resume.resume_from = alone;
    wg::pretrain_job(rc, corpus, resumed, resume);
    CHECK(wg::read_file(resumed) == wg::read_file(base));
    // A run shorter than its snapshot is an error, not a missing file found later.
    only.snapshot_at = 50;
    CHECK_THROWS_WITH(wg::pretrain_job(rc, corpus, alone, only), Catch::Contains("before its snapshot at step 50"));
    for (const auto& p : {corpus, base, within, alone, resumed}) unlink(p.c_str());
}
