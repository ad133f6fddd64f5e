#include "model/gpt.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/kernels.h"

namespace wg {

namespace K = kernels;

static const char* kMatName[4] = {"qkv", "proj", "fc", "fcproj"};

void mat_shape(Mat m, int C, int* in, int* out) {
    static const int kIn[4] = {1, 1, 1, 4}, kOut[4] = {3, 1, 4, 1};
    *in = kIn[m] * C;
    *out = kOut[m] * C;
}

// ---------------------------------------------------------------------------------------------
// Layout: the table of tensors, in a fixed order (it is the order of the checkpoint too).

static std::vector<Tensor> make_layout(const ModelConfig& c) {
    std::vector<Tensor> ts;
    size_t off = 0;
    int layer = -1;
    auto add = [&](std::string name, std::vector<int> shape, Tensor::Kind kind) {
        size_t n = 1;
        for (int d : shape) n *= (size_t)d;
        ts.push_back({std::move(name), std::move(shape), off, n, kind, layer});
        off += n;
    };
    const int C = c.n_embd;
    add("wte", {c.vocab, C}, Tensor::Embedding);
    add("wpe", {c.context, C}, Tensor::Embedding);
    for (int l = 0; l < c.n_layer; l++) {
        layer = l;
        std::string h = "h" + std::to_string(l) + ".";
        add(h + "ln1.w", {C}, Tensor::Norm);
        add(h + "ln1.b", {C}, Tensor::Norm);
        for (int m = 0; m < 4; m++) {
            int in, out;
            mat_shape((Mat)m, C, &in, &out);
            if (m == FC) {  // keep the conventional order: ln2 sits between the attention and the MLP
                add(h + "ln2.w", {C}, Tensor::Norm);
                add(h + "ln2.b", {C}, Tensor::Norm);
            }
            add(h + kMatName[m] + ".w", {in, out}, Tensor::Matrix);
            add(h + kMatName[m] + ".b", {out}, Tensor::Bias);
        }
    }
    layer = -1;
    add("lnf.w", {C}, Tensor::Norm);
    add("lnf.b", {C}, Tensor::Norm);
    if (c.lora_rank > 0)
        for (int l = 0; l < c.n_layer; l++)
            for (int m = 0; m < 4; m++) {
                layer = l;
                int in, out;
                mat_shape((Mat)m, C, &in, &out);
                std::string h = "h" + std::to_string(l) + "." + kMatName[m];
                add(h + ".lora_a", {in, c.lora_rank}, Tensor::LoraA);
                add(h + ".lora_b", {c.lora_rank, out}, Tensor::LoraB);
            }
    layer = -1;
    if (c.prompt_len > 0) add("prompt", {c.prompt_len, C}, Tensor::Prompt);
    return ts;
}

size_t layout_size(const ModelConfig& c) {
    std::vector<Tensor> ts = make_layout(c);
    return ts.back().offset + ts.back().size;
}

GPT::GPT(const ModelConfig& c) : cfg(c) {
    validate(cfg, "model");
    tensors = make_layout(cfg);
    params.assign(tensors.back().offset + tensors.back().size, 0.0f);
    trainable.assign(tensors.size(), 1);
    bind();
}

GPT::GPT(const GPT& o) : cfg(o.cfg), tensors(o.tensors), params(o.params), trainable(o.trainable) { bind(); }

GPT& GPT::operator=(const GPT& o) {
    if (this != &o) {
        cfg = o.cfg;
        tensors = o.tensors;
        params = o.params;
        trainable = o.trainable;
        acts = Acts{};
        bind();
    }
    return *this;
}

void GPT::bind() {
    grads.assign(params.size(), 0.0f);
    if (trainable.size() != tensors.size()) trainable.assign(tensors.size(), 1);
    std::map<std::string, size_t> idx;
    for (size_t i = 0; i < tensors.size(); i++) idx[tensors[i].name] = i;
    auto ptr = [&](const std::string& name, bool grad) -> float* {
        auto it = idx.find(name);
        if (it == idx.end()) return nullptr;
        const Tensor& t = tensors[it->second];
        if (grad) return trainable[it->second] ? grads.data() + t.offset : nullptr;
        return params.data() + t.offset;
    };
    for (int g = 0; g < 2; g++) {
        ModelView& v = g ? G : P;
        v.wte = ptr("wte", g);
        v.wpe = ptr("wpe", g);
        v.lnfw = ptr("lnf.w", g);
        v.lnfb = ptr("lnf.b", g);
        v.prompt = ptr("prompt", g);
        v.layers.assign(cfg.n_layer, LayerView{});
        for (int l = 0; l < cfg.n_layer; l++) {
            std::string h = "h" + std::to_string(l) + ".";
            LayerView& L = v.layers[l];
            L.ln1w = ptr(h + "ln1.w", g);
            L.ln1b = ptr(h + "ln1.b", g);
            L.ln2w = ptr(h + "ln2.w", g);
            L.ln2b = ptr(h + "ln2.b", g);
            for (int m = 0; m < 4; m++) {
                L.mat[m] = ptr(h + kMatName[m] + ".w", g);
                L.bias[m] = ptr(h + kMatName[m] + ".b", g);
                L.lora_a[m] = ptr(h + kMatName[m] + ".lora_a", g);
                L.lora_b[m] = ptr(h + kMatName[m] + ".lora_b", g);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Initialisation, adapters, what is trained.

void GPT::init_weights(uint64_t seed) {
    const uint64_t s = seed_for(seed, "init");
    const float proj_std = 0.02f / std::sqrt(2.0f * (float)cfg.n_layer);
    for (size_t i = 0; i < tensors.size(); i++) {
        const Tensor& t = tensors[i];
        float* p = params.data() + t.offset;
        bool is_weight = t.name.size() > 2 && t.name.compare(t.name.size() - 2, 2, ".w") == 0;
        if (t.kind == Tensor::Norm) {
            std::fill(p, p + t.size, is_weight ? 1.0f : 0.0f);
        } else if (t.kind == Tensor::Bias || t.kind == Tensor::LoraB) {
            std::fill(p, p + t.size, 0.0f);
        } else {
            bool residual_proj = t.name.find(".proj.w") != std::string::npos ||
                                 t.name.find(".fcproj.w") != std::string::npos;
            float std = residual_proj ? proj_std : 0.02f;
            if (t.kind == Tensor::LoraA) std = 1.0f / std::sqrt((float)t.shape[0]);
            Rng r(s, i);
            for (size_t j = 0; j < t.size; j++) p[j] = r.normal() * std;
        }
    }
}

void GPT::relayout(const ModelConfig& c) {
    std::vector<Tensor> old_t = tensors;
    std::vector<float> old_p = params;
    cfg = c;
    tensors = make_layout(cfg);
    params.assign(tensors.back().offset + tensors.back().size, 0.0f);
    for (const Tensor& t : tensors)
        for (const Tensor& o : old_t)
            if (o.name == t.name) std::copy(old_p.begin() + o.offset, old_p.begin() + o.offset + o.size, params.begin() + t.offset);
    trainable.assign(tensors.size(), 1);
    bind();
}

void GPT::add_lora(int rank, float alpha, uint64_t seed) {
    if (cfg.lora_rank > 0) fail("the model already has LoRA adapters");
    ModelConfig c = cfg;
    c.lora_rank = rank;
    c.lora_alpha = alpha;
    relayout(c);  // B starts at zero: the model computes exactly what it computed before
    const uint64_t s = seed_for(seed, "lora");
    for (size_t i = 0; i < tensors.size(); i++) {
        const Tensor& t = tensors[i];
        if (t.kind != Tensor::LoraA) continue;
        Rng r(s, i);
        float std = 1.0f / std::sqrt((float)t.shape[0]);
        for (size_t j = 0; j < t.size; j++) params[t.offset + j] = r.normal() * std;
    }
}

void GPT::merge_lora() {
    if (cfg.lora_rank == 0) return;
    const int C = cfg.n_embd, r = cfg.lora_rank;
    const float s = cfg.lora_alpha / (float)r;
    std::vector<float> delta;
    for (int l = 0; l < cfg.n_layer; l++)
        for (int m = 0; m < 4; m++) {
            int in, out;
            mat_shape((Mat)m, C, &in, &out);
            delta.assign((size_t)in * out, 0.0f);
            K::gemm(in, out, r, P.layers[l].lora_a[m], r, P.layers[l].lora_b[m], out, delta.data(), out, false);
            float* W = P.layers[l].mat[m];
            for (size_t i = 0; i < delta.size(); i++) W[i] = W[i] + s * delta[i];
        }
    ModelConfig c = cfg;
    c.lora_rank = 0;
    c.lora_alpha = 0.0f;
    relayout(c);
}

void GPT::add_prompt(int n, uint64_t seed, int first, int end) {
    if (cfg.prompt_len > 0) fail("the model already has a soft prompt");
    if (first < 0 || end <= first || end > cfg.vocab) fail("add_prompt: no tokens to draw from in [%d, %d)", first, end);
    ModelConfig c = cfg;
    c.prompt_len = n;
    validate(c, "soft prompt");
    relayout(c);
    Rng r(seed_for(seed, "prompt"), 0);
    const int C = cfg.n_embd;
    for (int i = 0; i < n; i++) {
        int id = first + (int)r.below((uint32_t)(end - first));
        std::copy(P.wte + (size_t)id * C, P.wte + (size_t)(id + 1) * C, P.prompt + (size_t)i * C);
    }
}

const float* GPT::embedding(int id) const {
    if (id < 0 || id >= cfg.vocab + cfg.prompt_len)
        fail("token id %d out of range (vocab %d, soft prompt %d)", id, cfg.vocab, cfg.prompt_len);
    return id < cfg.vocab ? P.wte + (size_t)id * cfg.n_embd : P.prompt + (size_t)(id - cfg.vocab) * cfg.n_embd;
}

std::vector<int> GPT::prompt_ids() const {
    std::vector<int> ids(cfg.prompt_len);
    for (int i = 0; i < cfg.prompt_len; i++) ids[i] = cfg.vocab + i;
    return ids;
}

void GPT::set_trainable(Method m, const std::vector<int>& layers) {
    for (int l : layers)
        if (l < 0 || l >= cfg.n_layer) fail("[train] layers: block %d does not exist (the model has %d)", l, cfg.n_layer);
    for (size_t i = 0; i < tensors.size(); i++) {
        Tensor::Kind k = tensors[i].kind;
        bool lora = k == Tensor::LoraA || k == Tensor::LoraB;
        switch (m) {
            case Method::Full: trainable[i] = 1; break;
            case Method::Lora: trainable[i] = lora; break;
            case Method::Bitfit: trainable[i] = k == Tensor::Bias || k == Tensor::Norm; break;
            case Method::Prompt: trainable[i] = k == Tensor::Prompt; break;
        }
        // A list of blocks freezes everything outside them, the embeddings and the final LayerNorm too.
        if (!layers.empty() && std::find(layers.begin(), layers.end(), tensors[i].layer) == layers.end())
            trainable[i] = 0;
    }
    if (m == Method::Lora && cfg.lora_rank == 0) fail("method lora needs adapters (add_lora first)");
    if (m == Method::Prompt && cfg.prompt_len == 0) fail("method prompt needs a soft prompt (add_prompt first)");
    bind();
}

// ---------------------------------------------------------------------------------------------
// Linear layer with its adapter, forward and backward.

void linear_forward(const GPT& g, int l, Mat m, float* out, const float* x, int M, float* u) {
    int in, outn;
    mat_shape(m, g.cfg.n_embd, &in, &outn);
    const LayerView& L = g.P.layers[l];
    K::matmul_forward(out, x, L.mat[m], L.bias[m], M, in, outn);
    if (g.cfg.lora_rank > 0) {
        const int r = g.cfg.lora_rank;
        const float s = g.cfg.lora_alpha / (float)r;
        K::matmul_forward(u, x, L.lora_a[m], nullptr, M, in, r);
        for (size_t i = 0; i < (size_t)M * r; i++) u[i] = u[i] * s;
        K::gemm(M, outn, r, u, r, L.lora_b[m], outn, out, outn, true);
    }
}

// dx (overwritten) and the parameter gradients of matrix m of block l, given dout.
static void linear_backward(GPT& g, int l, Mat m, float* dx, const float* dout, const float* x, int M,
                            const float* u) {
    int in, outn;
    mat_shape(m, g.cfg.n_embd, &in, &outn);
    const LayerView& L = g.P.layers[l];
    LayerView& D = g.G.layers[l];
    K::matmul_backward(dx, D.mat[m], D.bias[m], dout, x, L.mat[m], M, in, outn);
    if (g.cfg.lora_rank > 0) {
        const int r = g.cfg.lora_rank;
        const float s = g.cfg.lora_alpha / (float)r;
        thread_local std::vector<float> du;
        du.resize((size_t)M * r);
        K::matmul_backward(du.data(), D.lora_b[m], nullptr, dout, u, L.lora_b[m], M, r, outn);
        for (auto& v : du) v = v * s;
        if (D.lora_a[m]) K::matmul_backward(nullptr, D.lora_a[m], nullptr, du.data(), x, L.lora_a[m], M, in, r);
        K::gemm_t(M, in, r, du.data(), r, false, L.lora_a[m], r, true, dx, in, true);  // dx += du . A^T
    }
}

// ---------------------------------------------------------------------------------------------
// Forward and backward of the whole model.

static void ensure(std::vector<float>& v, size_t n) {
    if (v.size() < n) v.resize(n);
}

static void alloc_acts(GPT& g, int B, int T) {
    Acts& a = g.acts;
    const size_t M = (size_t)B * T, C = g.cfg.n_embd, V = g.cfg.vocab, NH = g.cfg.n_head;
    const size_t r = g.cfg.lora_rank;
    a.B = B;
    a.T = T;
    ensure(a.encoded, M * C);
    ensure(a.lnf, M * C);
    ensure(a.lnf_mean, M);
    ensure(a.lnf_rstd, M);
    ensure(a.logits, M * V);
    ensure(a.losses, M);
    a.layers.resize(g.cfg.n_layer);
    for (auto& L : a.layers) {
        for (auto* v : {&L.ln1, &L.atty, &L.attproj, &L.res2, &L.ln2, &L.fcproj, &L.res3}) ensure(*v, M * C);
        for (auto* v : {&L.ln1_mean, &L.ln1_rstd, &L.ln2_mean, &L.ln2_rstd}) ensure(*v, M);
        ensure(L.qkv, M * 3 * C);
        ensure(L.att, (size_t)B * NH * T * T);
        ensure(L.fch, M * 4 * C);
        ensure(L.fchg, M * 4 * C);
        for (auto& u : L.lora_u) ensure(u, M * r);
    }
}

float GPT::forward(const int* tok, const int* tgt, int B, int T, bool want_grad) {
    if (T > cfg.context) fail("sequence of %d tokens exceeds the model's context of %d", T, cfg.context);
    alloc_acts(*this, B, T);
    const int M = B * T, C = cfg.n_embd, V = cfg.vocab, NH = cfg.n_head;
    tokens.assign(tok, tok + M);
    targets.assign(M, -1);
    if (tgt) targets.assign(tgt, tgt + M);

    // Encoder: token + position embedding.
    for (int m = 0; m < M; m++) {
        const float* te = embedding(tokens[m]);
        const float* pe = P.wpe + (size_t)(m % T) * C;
        float* x = acts.encoded.data() + (size_t)m * C;
        for (int c = 0; c < C; c++) x[c] = te[c] + pe[c];
    }
    const float* res = acts.encoded.data();
    for (int l = 0; l < cfg.n_layer; l++) {
        LayerActs& a = acts.layers[l];
        const LayerView& L = P.layers[l];
        K::layernorm_forward(a.ln1.data(), a.ln1_mean.data(), a.ln1_rstd.data(), res, L.ln1w, L.ln1b, M, C);
        linear_forward(*this, l, QKV, a.qkv.data(), a.ln1.data(), M, a.lora_u[QKV].data());
        K::attention_forward(a.atty.data(), a.att.data(), a.qkv.data(), B, T, C, NH);
        linear_forward(*this, l, PROJ, a.attproj.data(), a.atty.data(), M, a.lora_u[PROJ].data());
        for (size_t i = 0; i < (size_t)M * C; i++) a.res2[i] = res[i] + a.attproj[i];
        K::layernorm_forward(a.ln2.data(), a.ln2_mean.data(), a.ln2_rstd.data(), a.res2.data(), L.ln2w, L.ln2b, M, C);
        linear_forward(*this, l, FC, a.fch.data(), a.ln2.data(), M, a.lora_u[FC].data());
        K::gelu_forward(a.fchg.data(), a.fch.data(), (size_t)M * 4 * C);
        linear_forward(*this, l, FCPROJ, a.fcproj.data(), a.fchg.data(), M, a.lora_u[FCPROJ].data());
        for (size_t i = 0; i < (size_t)M * C; i++) a.res3[i] = a.res2[i] + a.fcproj[i];
        res = a.res3.data();
    }
    K::layernorm_forward(acts.lnf.data(), acts.lnf_mean.data(), acts.lnf_rstd.data(), res, P.lnfw, P.lnfb, M, C);
    // Tied head: logits = lnf . wte^T.
    K::gemm_t(M, V, C, acts.lnf.data(), C, false, P.wte, C, true, acts.logits.data(), V, false);

    n_targets = 0;
    for (int i = 0; i < M; i++) n_targets += targets[i] >= 0;
    if (!tgt) return 0.0f;
    for (int i = 0; i < M; i++)
        if (targets[i] >= V) fail("target id %d out of range (vocab %d)", targets[i], V);
    const float dscale = n_targets ? 1.0f / (float)n_targets : 0.0f;
    K::softmax_xent(acts.logits.data(), acts.losses.data(), targets.data(), M, V, dscale, want_grad);
    double total = 0.0;  // in position order: one canonical sum
    for (int i = 0; i < M; i++) total += acts.losses[i];
    return n_targets ? (float)(total / n_targets) : 0.0f;
}

void GPT::zero_grad() { std::fill(grads.begin(), grads.end(), 0.0f); }

void GPT::backward() {
    const int B = acts.B, T = acts.T, M = B * T, C = cfg.n_embd, V = cfg.vocab, NH = cfg.n_head;
    thread_local std::vector<float> dres, dln, dbig, dbig2, dqkv;
    dres.assign((size_t)M * C, 0.0f);
    dln.resize((size_t)M * C);
    dbig.resize((size_t)M * 4 * C);
    dbig2.resize((size_t)M * 4 * C);
    dqkv.resize((size_t)M * 3 * C);
    const float* dlogits = acts.logits.data();

    // Head: dwte += (lnf^T . dlogits)^T, dlnf = dlogits . wte.
    if (G.wte) K::gemm_t(V, C, M, dlogits, V, true, acts.lnf.data(), C, false, G.wte, C, true);
    K::gemm(M, C, V, dlogits, V, P.wte, C, dln.data(), C, false);
    const float* last = cfg.n_layer ? acts.layers.back().res3.data() : acts.encoded.data();
    K::layernorm_backward(dres.data(), G.lnfw, G.lnfb, dln.data(), last, P.lnfw, acts.lnf_mean.data(),
                          acts.lnf_rstd.data(), M, C);

    for (int l = cfg.n_layer - 1; l >= 0; l--) {
        LayerActs& a = acts.layers[l];
        const LayerView& L = P.layers[l];
        LayerView& D = G.layers[l];
        const float* res_in = l ? acts.layers[l - 1].res3.data() : acts.encoded.data();
        // res3 = res2 + fcproj(gelu(fc(ln2(res2))))
        linear_backward(*this, l, FCPROJ, dbig.data(), dres.data(), a.fchg.data(), M, a.lora_u[FCPROJ].data());
        K::gelu_backward(dbig2.data(), a.fch.data(), dbig.data(), (size_t)M * 4 * C);
        linear_backward(*this, l, FC, dln.data(), dbig2.data(), a.ln2.data(), M, a.lora_u[FC].data());
        K::layernorm_backward(dres.data(), D.ln2w, D.ln2b, dln.data(), a.res2.data(), L.ln2w, a.ln2_mean.data(),
                              a.ln2_rstd.data(), M, C);
        // res2 = res_in + proj(attention(qkv(ln1(res_in))))
        linear_backward(*this, l, PROJ, dln.data(), dres.data(), a.atty.data(), M, a.lora_u[PROJ].data());
        K::attention_backward(dqkv.data(), dln.data(), a.qkv.data(), a.att.data(), B, T, C, NH);
        linear_backward(*this, l, QKV, dln.data(), dqkv.data(), a.ln1.data(), M, a.lora_u[QKV].data());
        K::layernorm_backward(dres.data(), D.ln1w, D.ln1b, dln.data(), res_in, L.ln1w, a.ln1_mean.data(),
                              a.ln1_rstd.data(), M, C);
    }
    // Encoder: scatter-add in position order.
    for (int m = 0; m < M; m++) {
        const float* d = dres.data() + (size_t)m * C;
        float* g = tokens[m] < V ? (G.wte ? G.wte + (size_t)tokens[m] * C : nullptr)
                                 : (G.prompt ? G.prompt + (size_t)(tokens[m] - V) * C : nullptr);
        if (g)
            for (int c = 0; c < C; c++) g[c] = g[c] + d[c];
        if (G.wpe) {
            float* gp = G.wpe + (size_t)(m % T) * C;
            for (int c = 0; c < C; c++) gp[c] = gp[c] + d[c];
        }
    }
}

}  // namespace wg
