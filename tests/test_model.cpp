// The model: every layer's backward and the whole model's against central finite differences; LoRA
// (a zero up-projection changes no bit; merging changes < 1e-5); the KV-cache decode equals the full
// forward pass; sample i is the same in any batch; a tiny model learns a small text.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include "core/rng.h"
#include "helpers.h"
#include "eval/generate.h"
#include "kernels/kernels.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/gpt.h"
#include "text/tokenizer.h"
#include "train/data.h"
#include "train/jobs.h"
#include "train/trainer.h"

namespace K = wg::kernels;
using wg::GPT;

namespace {

std::vector<float> randv(size_t n, uint64_t stream, float scale = 1.0f) { return test::randv(n, 99, stream, scale); }

// Central differences of a scalar function of x, at every element, against the analytic gradient.
void check_fd(std::vector<float>& x, const std::vector<float>& grad, const std::function<double()>& loss, float eps,
              double atol, double rtol, const char* what) {
    for (size_t i = 0; i < x.size(); i++) {
        float keep = x[i];
        x[i] = keep + eps;
        double up = loss();
        x[i] = keep - eps;
        double down = loss();
        x[i] = keep;
        double fd = (up - down) / (2.0 * eps);
        INFO(what << " element " << i << ": finite difference " << fd << ", analytic " << grad[i]);
        REQUIRE(std::fabs(fd - grad[i]) <= atol + rtol * std::fabs(fd));
    }
}

// A fixed random projection turns a layer's output into a scalar loss: L = sum w_i y_i.
double project(const std::vector<float>& y, const std::vector<float>& w) {
    double s = 0;
    for (size_t i = 0; i < y.size(); i++) s += (double)y[i] * w[i];
    return s;
}

wg::ModelConfig tiny_config() {
    wg::ModelConfig c;
    c.n_layer = 2;
    c.n_embd = 16;
    c.n_head = 2;
    c.context = 8;
    c.vocab = 270;
    return c;
}

// A model whose parameters are all well away from their initial values (LayerNorm weights near 1,
// biases non-zero), so that every gradient is exercised.
GPT scrambled_model(bool lora) {
    GPT g(tiny_config());
    g.init_weights(5);
    if (lora) g.add_lora(2, 4.0f, 6);
    wg::Rng r(3, 3);
    for (auto& p : g.params) p += (r.uniform() * 2 - 1) * 0.3f;
    return g;
}

}  // namespace

TEST_CASE("layernorm backward matches finite differences", "[grad]") {
    const int M = 3, C = 10;
    auto x = randv(M * C, 1, 2.0f), w = randv(C, 2), b = randv(C, 3), proj = randv(M * C, 4);
    std::vector<float> y(M * C), mean(M), rstd(M);
    auto loss = [&] {
        K::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), M, C);
        return project(y, proj);
    };
    loss();
    std::vector<float> dx(M * C, 0.0f), dw(C, 0.0f), db(C, 0.0f);
    K::layernorm_backward(dx.data(), dw.data(), db.data(), proj.data(), x.data(), w.data(), mean.data(), rstd.data(), M, C);
    check_fd(x, dx, loss, 1e-2f, 2e-3, 1e-2, "dx");
    check_fd(w, dw, loss, 1e-2f, 2e-3, 1e-2, "dw");
    check_fd(b, db, loss, 1e-2f, 2e-3, 1e-2, "db");
}

TEST_CASE("gelu backward matches finite differences", "[grad]") {
    const int n = 50;
    auto x = randv(n, 5, 4.0f), proj = randv(n, 6);
    std::vector<float> y(n), dx(n);
    auto loss = [&] {
        K::gelu_forward(y.data(), x.data(), n);
        return project(y, proj);
    };
    K::gelu_backward(dx.data(), x.data(), proj.data(), n);
    check_fd(x, dx, loss, 1e-2f, 1e-3, 1e-2, "dx");
}

TEST_CASE("attention backward matches finite differences", "[grad]") {
    const int B = 2, T = 5, C = 8, NH = 2;
    auto qkv = randv((size_t)B * T * 3 * C, 7, 1.5f), proj = randv((size_t)B * T * C, 8);
    std::vector<float> out((size_t)B * T * C), att((size_t)B * NH * T * T), dqkv(qkv.size());
    auto loss = [&] {
        K::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);
        return project(out, proj);
    };
    loss();
    K::attention_backward(dqkv.data(), proj.data(), qkv.data(), att.data(), B, T, C, NH);
    check_fd(qkv, dqkv, loss, 1e-2f, 2e-3, 1e-2, "dqkv");
}

TEST_CASE("matmul and softmax-cross-entropy backward match finite differences", "[grad]") {
    const int M = 4, IN = 6, OUT = 5;
    auto x = randv(M * IN, 9), W = randv(IN * OUT, 10), b = randv(OUT, 11), proj = randv(M * OUT, 12);
    std::vector<float> y(M * OUT);
    auto loss = [&] {
        K::matmul_forward(y.data(), x.data(), W.data(), b.data(), M, IN, OUT);
        return project(y, proj);
    };
    std::vector<float> dx(M * IN), dW(IN * OUT, 0.0f), db(OUT, 0.0f);
    K::matmul_backward(dx.data(), dW.data(), db.data(), proj.data(), x.data(), W.data(), M, IN, OUT);
    check_fd(x, dx, loss, 1e-2f, 1e-3, 1e-3, "dx");
    check_fd(W, dW, loss, 1e-2f, 1e-3, 1e-3, "dW");
    check_fd(b, db, loss, 1e-2f, 1e-3, 1e-3, "db");

    const int V = 12;
    auto z = randv(M * V, 13, 3.0f);
    std::vector<int> t = {3, -1, 0, 11};
    std::vector<float> losses(M);
    auto xent = [&] {
        auto zz = z;
        K::softmax_xent(zz.data(), losses.data(), t.data(), M, V, 1.0f, false);
        double s = 0;
        for (float l : losses) s += l;
        return s;
    };
    auto dz = z;
    K::softmax_xent(dz.data(), losses.data(), t.data(), M, V, 1.0f, true);
    check_fd(z, dz, xent, 1e-2f, 1e-3, 1e-2, "dlogits");
}

// The whole model: for every tensor, the 3 largest gradient entries and 3 random ones.
static void check_model_gradients(GPT& g, wg::Method method, const std::vector<int>& layers = {}) {
    g.set_trainable(method, layers);
    const int B = 2, T = 6, V = g.cfg.vocab;
    wg::Rng r(11, 11);
    std::vector<int> tok(B * T), tgt(B * T);
    for (int i = 0; i < B * T; i++) {
        tok[i] = (int)r.below(V);
        tgt[i] = i % 5 == 2 ? -1 : (int)r.below(V);
        // A soft prompt's ids follow the first token of every row, as after DOC.
        if (i % T >= 1 && i % T <= g.cfg.prompt_len) tok[i] = V + i % T - 1;
    }
    g.forward(tok.data(), tgt.data(), B, T, true);
    g.zero_grad();
    g.backward();
    const std::vector<float> grads = g.grads;
    auto loss = [&] { return (double)g.forward(tok.data(), tgt.data(), B, T, false); };
    int checked = 0;
    for (size_t ti = 0; ti < g.tensors.size(); ti++) {
        const wg::Tensor& t = g.tensors[ti];
        if (!g.trainable[ti]) {
            for (size_t j = 0; j < t.size; j++) REQUIRE(grads[t.offset + j] == 0.0f);
            continue;
        }
        std::vector<size_t> idx(t.size);
        for (size_t j = 0; j < t.size; j++) idx[j] = j;
        std::partial_sort(idx.begin(), idx.begin() + std::min<size_t>(3, t.size), idx.end(), [&](size_t a, size_t b) {
            return std::fabs(grads[t.offset + a]) > std::fabs(grads[t.offset + b]);
        });
        idx.resize(std::min<size_t>(3, t.size));
        for (int k = 0; k < 3; k++) idx.push_back(r.below((uint32_t)t.size));
        for (size_t j : idx) {
            float& p = g.params[t.offset + j];
            const float keep = p, eps = 1e-2f;
            p = keep + eps;
            double up = loss();
            p = keep - eps;
            double down = loss();
            p = keep;
            double fd = (up - down) / (2.0 * eps), an = grads[t.offset + j];
            INFO(t.name << "[" << j << "]: finite difference " << fd << ", analytic " << an);
            REQUIRE(std::fabs(fd - an) <= 3e-4 + 3e-2 * std::fabs(fd));
            checked++;
        }
    }
    REQUIRE(checked > 0);
}

TEST_CASE("whole model backward matches finite differences (full)", "[grad]") {
    GPT g = scrambled_model(false);
    check_model_gradients(g, wg::Method::Full);
}

TEST_CASE("whole model backward matches finite differences (LoRA adapters)", "[grad]") {
    GPT g = scrambled_model(true);
    check_model_gradients(g, wg::Method::Lora);
}

TEST_CASE("whole model backward matches finite differences (bitfit)", "[grad]") {
    GPT g = scrambled_model(false);
    check_model_gradients(g, wg::Method::Bitfit);
}

TEST_CASE("bitfit in one block: only that block's biases and LayerNorms train, and their gradients are right", "[grad]") {
    GPT g = scrambled_model(false);
    check_model_gradients(g, wg::Method::Bitfit, {1});
    std::vector<std::string> trained;
    for (size_t i = 0; i < g.tensors.size(); i++)
        if (g.trainable[i]) trained.push_back(g.tensors[i].name);
    REQUIRE(trained == std::vector<std::string>{"h1.ln1.w", "h1.ln1.b", "h1.qkv.b", "h1.proj.b", "h1.ln2.w",
                                                "h1.ln2.b", "h1.fc.b", "h1.fcproj.b"});
    REQUIRE_THROWS_WITH(g.set_trainable(wg::Method::Bitfit, {2}), Catch::Contains("block 2 does not exist"));
    const wg::RunConfig rc = wg::parse_run_config("[train]\nmethod = \"bitfit\"\nlayers = [0, 1]\n", "ft.toml");
    REQUIRE(rc.train.layers == std::vector<int>{0, 1});
    REQUIRE_THROWS_WITH(wg::parse_run_config("[train]\nlayers = 1\n", "ft.toml"),
                        Catch::Contains("ft.toml") && Catch::Contains("layers"));
}

TEST_CASE("soft prompt: its gradients match finite differences, and it is only an input embedding", "[grad]") {
    GPT g = scrambled_model(false);
    g.add_prompt(3, 9, 5, g.cfg.vocab);
    REQUIRE(g.prompt_ids() == std::vector<int>{270, 271, 272});
    wg::Rng r(4, 4);
    for (const auto& t : g.tensors)  // rows unlike any token's
        if (t.kind == wg::Tensor::Prompt)
            for (size_t j = 0; j < t.size; j++) g.params[t.offset + j] += (r.uniform() * 2 - 1) * 0.3f;
    check_model_gradients(g, wg::Method::Prompt);
    std::vector<std::string> trained;
    for (size_t i = 0; i < g.tensors.size(); i++)
        if (g.trainable[i]) trained.push_back(g.tensors[i].name);
    REQUIRE(trained == std::vector<std::string>{"prompt"});

    // A prompt row that is a copy of token 40's embedding computes exactly what token 40 does, in the
    // full pass and in the KV-cache decode; the logits cover the vocabulary only.
    const int V = g.cfg.vocab, C = g.cfg.n_embd;
    std::copy(g.P.wte + 40 * C, g.P.wte + 41 * C, g.P.prompt + C);
    std::vector<int> with = {0, 271, 41, 42}, plain = {0, 40, 41, 42};
    g.forward(with.data(), nullptr, 1, 4, false);
    std::vector<float> a(g.logits(), g.logits() + 4 * V);
    g.forward(plain.data(), nullptr, 1, 4, false);
    REQUIRE(memcmp(a.data(), g.logits(), a.size() * 4) == 0);
    wg::Decoder dec(g, 1, 4);
    std::vector<float> step(V);
    for (int t = 0, s = 0; t < 4; t++) {
        dec.step(&s, &with[t], 1, step.data());
        REQUIRE(memcmp(step.data(), a.data() + (size_t)t * V, V * 4) == 0);
    }
    std::vector<int> beyond = {0, 273};
    REQUIRE_THROWS_WITH(g.forward(beyond.data(), nullptr, 1, 2, false), Catch::Contains("token id 273 out of range"));

    // Adapters added after the prompt, and merged, keep it.
    std::vector<float> prompt(g.P.prompt, g.P.prompt + 3 * C);
    g.add_lora(2, 4.0f, 1);
    g.merge_lora();
    REQUIRE(g.cfg.prompt_len == 3);
    REQUIRE(std::vector<float>(g.P.prompt, g.P.prompt + 3 * C) == prompt);
    REQUIRE_THROWS_WITH(scrambled_model(false).set_trainable(wg::Method::Prompt), Catch::Contains("add_prompt first"));
}

// Which tokens a soft prompt starts as: with prompt_init_merges = N, only the tokenizer's first N merges
// (its most frequent pieces); with 0, any token. Checked through a whole finetune job at a rate too
// small to move the rows, so the config key is followed from the file to the checkpoint.
TEST_CASE("finetune: prompt_init_merges draws the soft prompt's first rows from the tokenizer's first merges", "[prompt]") {
    test::TempDir dir("prompt_init");
    std::string docs;
    for (int i = 0; i < 40; i++)
        docs += "{\"text\":\"the cat sat on the mat " + std::to_string(i * 7) + " times, and the dog ran home.\"}\n";
    const std::string corpus = dir.file("corpus.jsonl", docs);
    const std::string chats = dir.file("ft.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"the cat?\"},"
                                                    "{\"role\":\"assistant\",\"content\":\"the mat.\"}]}\n");
    const std::string base = dir.at("base.ckpt"), out = dir.at("ft.ckpt");
    wg::pretrain_job(wg::parse_run_config("[model]\nn_layer = 1\nn_embd = 16\nn_head = 2\ncontext = 64\nvocab = 300\n"
                                          "[train]\nsteps = 2\nbatch = 4\nseed = 5\n", "pre.toml"),
                     corpus, base, wg::quiet_job());
    auto drawn_ids = [&](int merges) {
        const std::string cfg = "[train]\nmethod = \"prompt\"\nprompt_tokens = 24\nepochs = 1\nbatch = 1\nlr = 1e-11\n"
                                "seed = 3\nprompt_init_merges = " + std::to_string(merges) + "\n";
        wg::finetune_job(wg::parse_run_config(cfg, "ft.toml"), base, chats, out, wg::quiet_job());
        const GPT g = wg::model_from(wg::load_checkpoint(out), out);
        const int C = g.cfg.n_embd;
        std::set<int> ids;
        for (int i = 0; i < g.cfg.prompt_len; i++) {  // the token whose embedding the row still is
            int best = -1;
            float best_diff = 1e30f;
            for (int id = 0; id < g.cfg.vocab; id++) {
                float d = 0;
                for (int c = 0; c < C; c++) d = std::max(d, std::fabs(g.P.prompt[i * C + c] - g.P.wte[id * C + c]));
                if (d < best_diff) best_diff = d, best = id;
            }
            REQUIRE(best_diff < 1e-6f);
            ids.insert(best);
        }
        return ids;
    };
    const int first_merge = wg::Tokenizer::FIRST_MERGE;
    const std::set<int> top = drawn_ids(4);
    CHECK(top.size() >= 3);
    for (int id : top) CHECK((id >= first_merge && id < first_merge + 4));
    const std::set<int> any = drawn_ids(0);
    CHECK(std::any_of(any.begin(), any.end(), [&](int id) { return id < first_merge || id >= first_merge + 4; }));
    CHECK_THROWS_WITH(drawn_ids(100000), Catch::Contains("prompt_init_merges = 100000") && Catch::Contains("merges"));
}

TEST_CASE("LoRA: zero up-projection is bit-identical to the base, and merging is within 1e-5", "[lora]") {
    GPT base = scrambled_model(false);
    const int B = 2, T = 8, V = base.cfg.vocab;
    std::vector<int> tok(B * T);
    for (int i = 0; i < B * T; i++) tok[i] = (i * 37) % V;
    base.forward(tok.data(), nullptr, B, T, false);
    std::vector<float> want(base.logits(), base.logits() + (size_t)B * T * V);

    GPT lora = base;
    lora.add_lora(4, 8.0f, 1);
    lora.forward(tok.data(), nullptr, B, T, false);
    REQUIRE(memcmp(lora.logits(), want.data(), want.size() * 4) == 0);

    // Give the adapters real values, then compare adapter logits with merged logits.
    wg::Rng r(8, 8);
    for (const auto& t : lora.tensors)
        if (t.kind == wg::Tensor::LoraB)
            for (size_t j = 0; j < t.size; j++) lora.params[t.offset + j] = (r.uniform() * 2 - 1) * 0.2f;
    lora.forward(tok.data(), nullptr, B, T, false);
    std::vector<float> adapted(lora.logits(), lora.logits() + want.size());
    GPT merged = lora;
    merged.merge_lora();
    REQUIRE(merged.cfg.lora_rank == 0);
    merged.forward(tok.data(), nullptr, B, T, false);
    double maxdiff = 0, moved = 0;
    for (size_t i = 0; i < want.size(); i++) {
        maxdiff = std::max(maxdiff, (double)std::fabs(merged.logits()[i] - adapted[i]));
        moved = std::max(moved, (double)std::fabs(adapted[i] - want[i]));
    }
    REQUIRE(moved > 1e-3);  // the adapters do change the model...
    REQUIRE(maxdiff < 1e-5);  // ...and the merged weights compute the same
}

TEST_CASE("KV-cache decoding gives the full forward pass's logits", "[generate]") {
    for (bool lora : {false, true}) {
        GPT g = scrambled_model(lora);
        const int T = 8, V = g.cfg.vocab;
        std::vector<int> tok(T);
        for (int i = 0; i < T; i++) tok[i] = (i * 53 + 7) % V;
        g.forward(tok.data(), nullptr, 1, T, false);
        std::vector<float> full(g.logits(), g.logits() + (size_t)T * V);
        wg::Decoder dec(g, 1, T);
        std::vector<float> step(V);
        int s = 0;
        for (int t = 0; t < T; t++) {
            dec.step(&s, &tok[t], 1, step.data());
            for (int v = 0; v < V; v++) REQUIRE(step[v] == full[(size_t)t * V + v]);
        }
    }
}

// A thread's decoders take turns with one cache's memory (src/eval/generate.cpp): a decoder keeps its
// cache while others come and go, and one that inherits memory full of an earlier decoder's keys still
// computes from its own.
TEST_CASE("decoders on one thread reuse cache memory without sharing a cache", "[generate]") {
    GPT g = scrambled_model(false);
    const int T = 8, V = g.cfg.vocab;
    std::vector<int> tok(T);
    for (int i = 0; i < T; i++) tok[i] = (i * 37 + 5) % V;
    g.forward(tok.data(), nullptr, 1, T, false);
    const std::vector<float> full(g.logits(), g.logits() + (size_t)T * V);
    auto check_steps = [&](wg::Decoder& dec, int from, int to) {
        std::vector<float> step(V);
        int s = 0;
        for (int t = from; t < to; t++) {
            dec.step(&s, &tok[t], 1, step.data());
            REQUIRE(std::memcmp(step.data(), &full[(size_t)t * V], V * sizeof(float)) == 0);
        }
    };
    std::vector<std::vector<int>> alone;
    wg::SampleOptions o;
    o.n = 4;
    o.max_new = 4;
    o.seed = 3;
    o.stop_token = -1;
    {
        wg::Decoder held(g, 1, T);
        check_steps(held, 0, T / 2);
        alone = wg::sample(g, {0, 2, 60, 61}, o);  // its decoder lives and dies while `held` has the memory
        check_steps(held, T / 2, T);
    }
    {
        wg::Decoder big(g, 5, T);  // fills the memory with other keys and values
        std::vector<float> rows(5 * (size_t)V);
        std::vector<int> seqs = {0, 1, 2, 3, 4}, junk = {9, 8, 7, 6, 5};
        for (int t = 0; t < T; t++) big.step(seqs.data(), junk.data(), 5, rows.data());
    }
    wg::Decoder after(g, 1, T);
    check_steps(after, 0, T);
    REQUIRE(wg::sample(g, {0, 2, 60, 61}, o) == alone);
}

TEST_CASE("sample i is the same whatever the batch, and seeds differ", "[generate]") {
    GPT g = scrambled_model(false);
    std::vector<int> prompt = {0, 2, 40, 41};
    wg::SampleOptions o;
    o.n = 6;
    o.max_new = 3;
    o.seed = 77;
    o.stop_token = -1;
    auto all = wg::sample(g, prompt, o);
    for (int i = 0; i < 6; i++) {
        wg::SampleOptions one = o;
        one.n = 1;
        one.first_index = i;
        REQUIRE(wg::sample(g, prompt, one)[0] == all[i]);
    }
    // Several prompts decoded in one batch give each prompt's samples as if it were alone.
    wg::SampleOptions o2 = o;
    o2.seed = 5;
    o2.n = 3;
    std::vector<int> prompt2 = {0, 2, 50, 51, 52, 53};
    auto many = wg::sample_many(g, {{prompt, o}, {prompt2, o2}});
    REQUIRE(many[0] == all);
    REQUIRE(many[1] == wg::sample(g, prompt2, o2));
    o.seed = 78;
    REQUIRE(wg::sample(g, prompt, o) != all);
    // Scores are batch-independent too: a completion scored alone or among others.
    std::vector<std::vector<int>> comps = {{5, 6}, {7}, {8, 9, 10, 11}};
    auto together = wg::score(g, prompt, comps);
    for (size_t i = 0; i < comps.size(); i++) REQUIRE(wg::score(g, prompt, {comps[i]})[0] == together[i]);
}

TEST_CASE("samples that share a prefix share its work and still give their own bytes", "[generate]") {
    // A low temperature makes the distribution peaked: most of the 40 samples draw the same first
    // tokens (one decoder slot), then split. Each must equal the sample decoded alone, also when some
    // stop early (stop token = a likely token) and when the temperature is 0 (greedy: all identical).
    GPT g = scrambled_model(false);
    std::vector<int> prompt = {0, 2, 40, 41};
    for (float temp : {0.0f, 0.05f, 0.15f}) {
        wg::SampleOptions o;
        o.n = 40;
        o.max_new = 6;
        o.seed = 3;
        o.temperature = temp;
        o.stop_token = wg::sample(g, prompt, [&] { auto x = o; x.n = 1; x.temperature = 0; x.stop_token = -1; return x; }())[0][1];
        auto all = wg::sample(g, prompt, o);
        std::set<std::vector<int>> distinct(all.begin(), all.end());
        INFO("temperature " << temp << ": " << distinct.size() << " distinct of 40");
        if (temp == 0.0f) REQUIRE(distinct.size() == 1);
        else REQUIRE(distinct.size() > 1);
        REQUIRE(distinct.size() < 40);  // prefixes were shared
        for (int i = 0; i < o.n; i++) {
            wg::SampleOptions one = o;
            one.n = 1;
            one.first_index = i;
            REQUIRE(wg::sample(g, prompt, one)[0] == all[i]);
        }
    }
}

TEST_CASE("a prompt fed to the decoder in one step gives the bits of feeding it token by token", "[generate]") {
    GPT g = scrambled_model(false);
    const int V = g.cfg.vocab;
    std::vector<int> prompt = {0, 2, 40, 41, 42};
    // Two sequences: 0 takes the prompt at once, beside a row of sequence 1; 1 was fed token by token.
    wg::Decoder at_once(g, 2, 8), by_token(g, 2, 8);
    std::vector<float> one(V), rows((prompt.size() + 1) * V);
    for (int t : prompt) by_token.step(std::vector<int>{1}.data(), &t, 1, one.data());
    std::vector<int> seqs(prompt.size(), 0), toks = prompt;
    seqs.push_back(1);  // another sequence's row in the same step
    toks.push_back(7);
    at_once.step(seqs.data(), toks.data(), (int)toks.size(), rows.data());
    REQUIRE(at_once.length(0) == (int)prompt.size());
    REQUIRE(std::memcmp(one.data(), &rows[(prompt.size() - 1) * V], V * sizeof(float)) == 0);
    // And the caches agree: the next token gives the same logits.
    std::vector<float> a(V), b(V);
    int next = 9;
    at_once.step(std::vector<int>{0}.data(), &next, 1, a.data());
    by_token.step(std::vector<int>{1}.data(), &next, 1, b.data());
    REQUIRE(std::memcmp(a.data(), b.data(), V * sizeof(float)) == 0);
}

TEST_CASE("scoring a branching prefix tree gives each completion its score alone", "[generate]") {
    // Chains, branches at several depths, a completion that is a prefix of others, leaves of different
    // depths: the decoder slots are handed from parent to child and reused once a branch ends, and a
    // wrong hand-over would give some completion another prefix's cache.
    GPT g = scrambled_model(false);
    std::vector<int> prompt = {0, 2};  // the model's context is 8: prompt and the longest completion fit
    std::vector<std::vector<int>> comps = {{5, 6, 7, 8, 9},  {5, 6, 7, 10}, {5, 6, 11},    {5, 12, 13, 14, 15, 16},
                                           {5, 12, 13, 17}, {5, 12},       {18},          {18, 19, 20},
                                           {21, 22, 23, 24}, {21, 22, 25, 26}, {21, 27, 28}, {5, 6, 7, 8, 30, 31}};
    auto together = wg::score(g, prompt, comps);
    for (size_t i = 0; i < comps.size(); i++) {
        INFO("completion " << i);
        REQUIRE(wg::score(g, prompt, {comps[i]})[0] == together[i]);
    }
}

TEST_CASE("score is the sum of next-token log-probabilities", "[generate]") {
    GPT g = scrambled_model(false);
    std::vector<int> prompt = {0, 2, 40}, comp = {41, 42};
    double lp = wg::score(g, prompt, {comp})[0];
    // By hand from the full forward logits.
    std::vector<int> s = {0, 2, 40, 41, 42};
    g.forward(s.data(), nullptr, 1, 4, false);
    const int V = g.cfg.vocab;
    double want = 0;
    for (int t = 2; t <= 3; t++) {
        const float* z = g.logits() + (size_t)t * V;
        double mx = *std::max_element(z, z + V), sum = 0;
        for (int v = 0; v < V; v++) sum += std::exp((double)z[v] - mx);
        want += (z[s[t + 1]] - mx) - std::log(sum);
    }
    REQUIRE(std::fabs(lp - want) < 1e-4);
}

TEST_CASE("a tiny model learns a small text", "[train]") {
    // 12 short sentences as byte tokens (id = 5 + byte); the model must memorise them.
    std::vector<wg::Example> ex = test::byte_sentences(
        {"the cat sat on the mat.", "a dog ran in the park.", "birds sing at dawn.", "the sun is warm today.",
         "we read old books.", "rain falls on the roof.", "the train left at noon.", "she plays the violin.",
         "he fixed the old clock.", "snow covers the hills.", "the river runs east.", "tea is served at four."});
    wg::ModelConfig c;
    c.n_layer = 2;
    c.n_embd = 64;
    c.n_head = 4;
    c.context = 64;
    c.vocab = 262;
    GPT g(c);
    g.init_weights(1);
    wg::TrainConfig tc;
    tc.steps = 300;
    tc.batch = 4;
    tc.lr = 3e-3f;
    tc.warmup = 20;
    tc.weight_decay = 0.0f;
    wg::Batcher data(ex, c.context, false, 1);
    wg::TrainState st;
    wg::TrainOptions opt;
    opt.quiet = true;
    auto sum = wg::train(g, tc, data, st, opt);
    INFO("first loss " << sum.first_loss << ", last loss " << sum.last_loss);
    REQUIRE(sum.first_loss > 5.0f);  // ln 262 = 5.57 at the start
    REQUIRE(sum.last_loss < 0.5f);   // memorised
    // Greedy decoding from the first letter reproduces a sentence.
    wg::SampleOptions o;
    o.temperature = 0;
    o.max_new = 40;
    auto out = wg::sample(g, {0, 5 + 's', 5 + 'n'}, o)[0];
    std::string text = "sn";
    for (int t : out) text += (char)(t - 5);
    REQUIRE(text == "snow covers the hills.");
}

TEST_CASE("packing: every document once per epoch, whole, from a row's start, rows well filled", "[train]") {
    std::vector<wg::Example> ex;
    wg::Rng r(4, 4);
    size_t total = 0;
    for (int i = 0; i < 2000; i++) {
        wg::Example e;
        int n = 10 + (int)r.below(90);
        e.tokens.push_back(0);
        for (int k = 1; k < n; k++) e.tokens.push_back(5 + i % 200);  // the document's id in its tokens
        e.mask.assign(n, 1);
        e.mask[0] = 0;
        total += (size_t)n;
        ex.push_back(e);
    }
    const int context = 128;
    wg::Batcher b(ex, context, true, 9);
    int64_t epoch = 0, cursor = 0;
    const int64_t rows = b.rows_in_epoch(0);
    size_t docs = 0, tokens = 0;
    for (int64_t i = 0; i < rows; i++) {
        wg::Batch batch = b.next(1, epoch, cursor);
        REQUIRE(batch.tokens[0] == 0);  // a row starts at a document boundary
        for (int t = 0; t < batch.T; t++) {
            docs += batch.tokens[t] == 0 && batch.targets[t] >= 0;  // a DOC token followed by a document
            tokens += batch.targets[t] >= 0;
        }
    }
    REQUIRE(epoch == 0);
    REQUIRE(docs == ex.size());                 // every document once
    REQUIRE(tokens == total - ex.size());       // whole: every token after each DOC is a target
    double fill = (double)total / (double)(rows * (context + 1));
    INFO("fill " << fill);
    REQUIRE(fill > 0.9);
}
