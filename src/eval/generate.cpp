#include "eval/generate.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/kernels.h"

namespace wg {

namespace K = kernels;

Decoder::Decoder(const GPT& model, int n_seq, int capacity)
    : g_(model), n_seq_(n_seq), cap_(std::min(capacity, model.cfg.context)) {
    const size_t C = model.cfg.n_embd;
    const size_t n = (size_t)model.cfg.n_layer * n_seq * cap_ * C;
    k_.reset(new float[n]);  // not zeroed: a position is written before it is read
    v_.reset(new float[n]);
    len_.assign(n_seq, 0);
    wte_t_.resize(C * model.cfg.vocab);
    K::transpose(model.cfg.vocab, (int)C, model.P.wte, (int)C, wte_t_.data(), model.cfg.vocab);
}

void Decoder::copy(int from, int to) {
    const size_t C = g_.cfg.n_embd, per = (size_t)cap_ * C, n = len_[from];
    for (int l = 0; l < g_.cfg.n_layer; l++) {
        size_t base = (size_t)l * n_seq_ * per;
        for (size_t c = 0; c < C; c++) memcpy(&k_[base + to * per + c * cap_], &k_[base + from * per + c * cap_], n * 4);
        memcpy(&v_[base + to * per], &v_[base + from * per], n * C * 4);
    }
    len_[to] = len_[from];
}

void Decoder::step(const int* seqs, const int* tokens, int n, float* logits) {
    const ModelConfig& c = g_.cfg;
    const int C = c.n_embd, NH = c.n_head, hs = C / NH, V = c.vocab, r = c.lora_rank;
    // Scratch for n rows, kept between steps (thread_local: decoders run on several threads at once).
    thread_local std::vector<float> x, ln, qkv, y, h, hg, u, mean, rstd, tmp, scratch;
    for (auto* v : {&x, &ln, &y, &tmp}) v->resize((size_t)n * C);
    qkv.resize((size_t)n * 3 * C);
    h.resize((size_t)n * 4 * C);
    hg.resize((size_t)n * 4 * C);
    u.resize((size_t)n * (r ? r : 1));
    mean.resize(n);
    rstd.resize(n);
    scratch.resize(cap_);
    for (int i = 0; i < n; i++) {
        int s = seqs[i];
        if (len_[s] >= cap_) fail("generation reached the context length %d", cap_);
        if (tokens[i] < 0 || tokens[i] >= V) fail("token id %d out of range (vocab %d)", tokens[i], V);
        const float* te = g_.P.wte + (size_t)tokens[i] * C;
        const float* pe = g_.P.wpe + (size_t)len_[s] * C;
        for (int j = 0; j < C; j++) x[(size_t)i * C + j] = te[j] + pe[j];
    }
    const size_t per = (size_t)cap_ * C;
    for (int l = 0; l < c.n_layer; l++) {
        const LayerView& L = g_.P.layers[l];
        K::layernorm_forward(ln.data(), mean.data(), rstd.data(), x.data(), L.ln1w, L.ln1b, n, C);
        linear_forward(g_, l, QKV, qkv.data(), ln.data(), n, u.data());
        float* kl = &k_[(size_t)l * n_seq_ * per];
        float* vl = &v_[(size_t)l * n_seq_ * per];
        for (int i = 0; i < n; i++) {
            int s = seqs[i], pos = len_[s];
            float* kt = kl + s * per;  // keys dimension-major: kt[c * cap + pos]
            for (int c = 0; c < C; c++) kt[(size_t)c * cap_ + pos] = qkv[(size_t)i * 3 * C + C + c];
            memcpy(vl + s * per + (size_t)pos * C, &qkv[(size_t)i * 3 * C + 2 * C], C * 4);
            for (int hd = 0; hd < NH; hd++)
                K::attend_one(&y[(size_t)i * C + hd * hs], &qkv[(size_t)i * 3 * C + hd * hs], kt + (size_t)hd * hs * cap_, cap_,
                              vl + s * per + hd * hs, C, pos + 1, hs, scratch.data());
        }
        linear_forward(g_, l, PROJ, tmp.data(), y.data(), n, u.data());
        for (size_t i = 0; i < (size_t)n * C; i++) x[i] = x[i] + tmp[i];
        K::layernorm_forward(ln.data(), mean.data(), rstd.data(), x.data(), L.ln2w, L.ln2b, n, C);
        linear_forward(g_, l, FC, h.data(), ln.data(), n, u.data());
        K::gelu_forward(hg.data(), h.data(), (size_t)n * 4 * C);
        linear_forward(g_, l, FCPROJ, tmp.data(), hg.data(), n, u.data());
        for (size_t i = 0; i < (size_t)n * C; i++) x[i] = x[i] + tmp[i];
    }
    K::layernorm_forward(ln.data(), mean.data(), rstd.data(), x.data(), g_.P.lnfw, g_.P.lnfb, n, C);
    K::gemm(n, V, C, ln.data(), C, wte_t_.data(), V, logits, V, false);
    for (int i = 0; i < n; i++) len_[seqs[i]]++;
}

int draw_token(const float* logits, int V, float temperature, int top_k, float u) {
    if (temperature <= 0.0f) {  // greedy: the first maximum
        return (int)(std::max_element(logits, logits + V) - logits);
    }
    // The candidates in vocabulary order: all tokens, or the k likeliest (ties to the lower id).
    thread_local std::vector<int> idx;
    thread_local std::vector<float> p;
    const bool all = top_k <= 0 || top_k >= V;
    const int n = all ? V : top_k;
    if (!all) {
        idx.resize(V);
        std::iota(idx.begin(), idx.end(), 0);
        std::partial_sort(idx.begin(), idx.begin() + n, idx.end(), [&](int a, int b) {
            return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
        });
        idx.resize(n);
        std::sort(idx.begin(), idx.end());  // back to vocabulary order for the cumulative sum
    }
    auto id = [&](int j) { return all ? j : idx[j]; };
    float mx = logits[id(0)];
    for (int j = 0; j < n; j++) mx = std::max(mx, logits[id(j)]);
    p.resize(n);
    for (int j = 0; j < n; j++) p[j] = (logits[id(j)] - mx) / temperature;
    K::exp_array(p.data(), p.data(), p.size());
    float total = K::sum(p.data(), n);
    float target = u * total, acc = 0.0f;
    for (int j = 0; j < n; j++) {
        acc = acc + p[j];
        if (acc > target) return id(j);
    }
    return id(n - 1);
}

std::vector<std::vector<std::vector<int>>> sample_many(const GPT& model, const std::vector<SampleJob>& jobs) {
    const int V = model.cfg.vocab;
    std::vector<int> offset(jobs.size()), cap(jobs.size());
    int slots = 0, longest = 0;
    std::vector<std::vector<std::vector<int>>> out(jobs.size());
    for (size_t j = 0; j < jobs.size(); j++) {
        const auto& p = jobs[j].prompt;
        if (p.empty()) fail("sampling needs a non-empty prompt");
        if ((int)p.size() >= model.cfg.context) fail("the prompt (%zu tokens) fills the context of %d", p.size(), model.cfg.context);
        offset[j] = slots;
        slots += std::max(0, jobs[j].o.n);
        cap[j] = std::min<int>(model.cfg.context, (int)p.size() + jobs[j].o.max_new);
        longest = std::max(longest, cap[j]);
        out[j].resize(std::max(0, jobs[j].o.n));
    }
    if (slots == 0) return out;
    Decoder dec(model, slots, longest);
    // Prefill: each prompt once, in the first slot of its job, all jobs stepping together.
    std::vector<float> last((size_t)jobs.size() * V), rows;
    size_t max_prompt = 0;
    for (const auto& jb : jobs) max_prompt = std::max(max_prompt, jb.prompt.size());
    for (size_t t = 0; t < max_prompt; t++) {
        std::vector<int> seqs, toks, which;
        for (size_t j = 0; j < jobs.size(); j++)
            if (jobs[j].o.n > 0 && t < jobs[j].prompt.size()) {
                seqs.push_back(offset[j]);
                toks.push_back(jobs[j].prompt[t]);
                which.push_back((int)j);
            }
        rows.resize(seqs.size() * (size_t)V);
        dec.step(seqs.data(), toks.data(), (int)seqs.size(), rows.data());
        for (size_t k = 0; k < which.size(); k++)
            if (t + 1 == jobs[which[k]].prompt.size()) memcpy(&last[(size_t)which[k] * V], &rows[k * V], V * 4);
    }
    // Every sample starts from its job's prompt; then all samples of all jobs decode together.
    std::vector<int> active, job_of(slots);
    std::vector<float> logits((size_t)slots * V);
    for (size_t j = 0; j < jobs.size(); j++)
        for (int i = 0; i < jobs[j].o.n; i++) {
            int s = offset[j] + i;
            if (i > 0) dec.copy(offset[j], s);
            job_of[s] = (int)j;
            memcpy(&logits[active.size() * V], &last[j * V], V * 4);
            active.push_back(s);
        }
    std::vector<int> next(slots);
    for (int k = 0; !active.empty(); k++) {
        std::vector<int> still;
        for (size_t a = 0; a < active.size(); a++) {
            const int s = active[a], j = job_of[s], i = s - offset[j];
            const SampleOptions& o = jobs[j].o;
            Rng rng(o.seed, (uint64_t)(o.first_index + i));  // sample i's own stream: batch-independent
            rng.index = (uint64_t)k;
            int tok = draw_token(&logits[a * V], V, o.temperature, o.top_k, rng.uniform());
            if (tok == o.stop_token) continue;
            out[j][i].push_back(tok);
            if ((int)out[j][i].size() >= o.max_new || dec.length(s) >= cap[j]) continue;
            still.push_back(s);
            next[still.size() - 1] = tok;
        }
        active = still;
        if (!active.empty()) dec.step(active.data(), next.data(), (int)active.size(), logits.data());
    }
    return out;
}

std::vector<std::vector<int>> sample(const GPT& model, const std::vector<int>& prompt, const SampleOptions& o) {
    return sample_many(model, {SampleJob{prompt, o}})[0];
}

std::vector<double> score(const GPT& model, const std::vector<int>& prompt,
                          const std::vector<std::vector<int>>& completions) {
    // The prefix tree of the completions; node 0 is the end of the prompt.
    struct Node {
        int parent = -1, token = -1, depth = 0, slot = -1;
        std::map<int, int> kids;
    };
    std::vector<Node> nodes(1);
    std::vector<std::vector<int>> paths;
    int depth_max = 0;
    for (const auto& c : completions) {
        int cur = 0;
        std::vector<int> path;
        for (int t : c) {
            auto it = nodes[cur].kids.find(t);
            int next;
            if (it == nodes[cur].kids.end()) {
                next = (int)nodes.size();
                nodes[cur].kids[t] = next;
                Node n;
                n.parent = cur;
                n.token = t;
                n.depth = nodes[cur].depth + 1;
                nodes.push_back(n);
            } else {
                next = it->second;
            }
            path.push_back(next);
            cur = next;
        }
        depth_max = std::max(depth_max, (int)c.size());
        paths.push_back(path);
    }
    // Every node with children needs the model's next-token log-probabilities: one decoder slot each.
    int slots = 0;
    for (auto& n : nodes)
        if (!n.kids.empty()) n.slot = slots++;
    std::vector<double> out(completions.size(), 0.0);
    if (slots == 0) return out;
    const int V = model.cfg.vocab;
    Decoder dec(model, slots, (int)prompt.size() + depth_max);
    std::vector<float> logits(V);
    for (int t : prompt) dec.step(&nodes[0].slot, &t, 1, logits.data());
    std::map<int, std::vector<float>> lp;                // node -> log-probabilities of its children's tokens
    auto log_softmax_at = [&](int node, const float* z) {
        float mx = *std::max_element(z, z + V);
        std::vector<float> e(V);
        for (int v = 0; v < V; v++) e[v] = z[v] - mx;
        kernels::exp_array(e.data(), e.data(), V);
        float ls = kernels::log(kernels::sum(e.data(), V));
        std::vector<float>& row = lp[node];
        for (const auto& [t, child] : nodes[node].kids) row.push_back((z[t] - mx) - ls);
    };
    log_softmax_at(0, logits.data());
    for (int d = 1; d <= depth_max; d++) {
        std::vector<int> seqs, toks, which;
        for (int i = 0; i < (int)nodes.size(); i++)
            if (nodes[i].depth == d && nodes[i].slot >= 0) {
                dec.copy(nodes[nodes[i].parent].slot, nodes[i].slot);
                seqs.push_back(nodes[i].slot);
                toks.push_back(nodes[i].token);
                which.push_back(i);
            }
        if (seqs.empty()) continue;
        std::vector<float> rows((size_t)seqs.size() * V);
        dec.step(seqs.data(), toks.data(), (int)seqs.size(), rows.data());
        for (size_t j = 0; j < which.size(); j++) log_softmax_at(which[j], &rows[j * V]);
    }
    for (size_t c = 0; c < completions.size(); c++) {
        double s = 0.0;
        for (int node : paths[c]) {
            const Node& n = nodes[node];
            const Node& p = nodes[n.parent];
            int k = (int)std::distance(p.kids.begin(), p.kids.find(n.token));
            s += lp[n.parent][k];
        }
        out[c] = s;
    }
    return out;
}

}  // namespace wg
