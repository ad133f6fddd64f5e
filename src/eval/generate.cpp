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

TransposedHead::TransposedHead(const GPT& model) : w((size_t)model.cfg.n_embd * model.cfg.vocab) {
    K::transpose(model.cfg.vocab, model.cfg.n_embd, model.P.wte, model.cfg.n_embd, w.data(), model.cfg.vocab);
}

// Each thread keeps the largest KV cache its decoders have used and lends it to the next one. A new
// allocation per decoder came from the system untouched, so every page a copy or a step wrote was a
// page fault; on a virtual machine with slow faults that was a third of an evaluation's time (one
// sampling decoder per question form, one scoring decoder per question).
namespace {
struct KvLoan {
    std::unique_ptr<float[]> mem;
    size_t floats = 0;
    bool lent = false;
};
thread_local KvLoan t_kv;
}  // namespace

Decoder::Decoder(const GPT& model, int n_seq, int capacity, const TransposedHead* head)
    : g_(model), n_seq_(n_seq), cap_(std::min(capacity, model.cfg.context)) {
    const size_t C = model.cfg.n_embd;
    const size_t n = (size_t)model.cfg.n_layer * n_seq * cap_ * C;
    float* mem;
    if (!t_kv.lent) {
        if (t_kv.floats < 2 * n) {
            t_kv.mem.reset();  // before the new one: the two need not be held at once
            t_kv.mem.reset(new float[2 * n]);  // not zeroed: a position is written before it is read
            t_kv.floats = 2 * n;
        }
        t_kv.lent = true;
        mem = t_kv.mem.get();
    } else {
        own_kv_.reset(new float[2 * n]);
        mem = own_kv_.get();
    }
    k_ = mem;
    v_ = mem + n;
    len_.assign(n_seq, 0);
    if (!head) own_head_ = std::make_unique<TransposedHead>(model);
    head_ = head ? head : own_head_.get();
}

Decoder::~Decoder() {
    if (!own_kv_) t_kv.lent = false;  // it had the thread's memory
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
    thread_local std::vector<int> pos;  // each row's position in its sequence
    for (auto* v : {&x, &ln, &y, &tmp}) v->resize((size_t)n * C);
    qkv.resize((size_t)n * 3 * C);
    h.resize((size_t)n * 4 * C);
    hg.resize((size_t)n * 4 * C);
    u.resize((size_t)n * (r ? r : 1));
    mean.resize(n);
    rstd.resize(n);
    scratch.resize(cap_);
    pos.resize(n);
    for (int i = 0; i < n; i++) {
        int s = seqs[i];
        if (len_[s] >= cap_) fail("generation reached the context length %d", cap_);
        pos[i] = len_[s]++;  // a sequence's second row in this step is its next position
        const float* te = g_.embedding(tokens[i]);
        const float* pe = g_.P.wpe + (size_t)pos[i] * C;
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
            // Rows in order: a row attends to the keys and values of its sequence's earlier rows,
            // written just before it in this loop (a prompt fed at once is causal).
            const int s = seqs[i], p = pos[i];
            float* kt = kl + s * per;  // keys dimension-major: kt[c * cap + pos]
            for (int c = 0; c < C; c++) kt[(size_t)c * cap_ + p] = qkv[(size_t)i * 3 * C + C + c];
            memcpy(vl + s * per + (size_t)p * C, &qkv[(size_t)i * 3 * C + 2 * C], C * 4);
            for (int hd = 0; hd < NH; hd++)
                K::attend_one(&y[(size_t)i * C + hd * hs], &qkv[(size_t)i * 3 * C + hd * hs], kt + (size_t)hd * hs * cap_, cap_,
                              vl + s * per + hd * hs, C, p + 1, hs, scratch.data());
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
    K::gemm(n, V, C, ln.data(), C, head_->w.data(), V, logits, V, false);
}

void TokenDistribution::prepare(const float* logits, int V, float temperature, int top_k) {
    greedy_ = temperature <= 0.0f;
    if (greedy_) {  // the first maximum
        argmax_ = (int)(std::max_element(logits, logits + V) - logits);
        return;
    }
    // The candidates in vocabulary order: all tokens, or the k likeliest (ties to the lower id).
    const bool all = top_k <= 0 || top_k >= V;
    const int n = all ? V : top_k;
    ids_.resize(V);
    std::iota(ids_.begin(), ids_.end(), 0);
    if (!all) {
        std::partial_sort(ids_.begin(), ids_.begin() + n, ids_.end(), [&](int a, int b) {
            return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
        });
        ids_.resize(n);
        std::sort(ids_.begin(), ids_.end());  // back to vocabulary order for the cumulative sum
    }
    float mx = logits[ids_[0]];
    for (int j = 0; j < n; j++) mx = std::max(mx, logits[ids_[j]]);
    cum_.resize(n);
    for (int j = 0; j < n; j++) cum_[j] = (logits[ids_[j]] - mx) / temperature;
    K::exp_array(cum_.data(), cum_.data(), cum_.size());
    total_ = K::sum(cum_.data(), n);
    float acc = 0.0f;
    for (int j = 0; j < n; j++) cum_[j] = acc = acc + cum_[j];
}

int TokenDistribution::draw(float u) const {
    if (greedy_) return argmax_;
    // The first candidate whose running sum passes u * total; the sums never decrease, so a binary
    // search finds the same one as a scan.
    auto it = std::upper_bound(cum_.begin(), cum_.end(), u * total_);
    return it == cum_.end() ? ids_.back() : ids_[it - cum_.begin()];
}

int draw_token(const float* logits, int V, float temperature, int top_k, float u) {
    thread_local TokenDistribution d;
    d.prepare(logits, V, temperature, top_k);
    return d.draw(u);
}

std::vector<std::vector<std::vector<int>>> sample_many(const GPT& model, const std::vector<SampleJob>& jobs,
                                                       const TransposedHead* head) {
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
    Decoder dec(model, slots, longest, head);
    // Prefill: each prompt once, in the first slot of its job, all jobs stepping together. (Token by
    // token: all prompts in one step were no faster for an evaluation's 6-10 prompts, and their logits,
    // rows x vocabulary, would grow with the number of prompts a caller passes.)
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
    // Samples that have drawn the same tokens so far have the same cache and the same next logits
    // (every row is computed alone), so they share one decoder slot: a node of the tree of drawn
    // prefixes. Each sample still draws its own token from its own stream; a node splits when its
    // samples draw different tokens. With a peaked distribution, 100 samples of a question are a
    // few nodes, and the bytes are those of decoding each sample alone.
    struct Node {
        int slot, job;
        std::vector<int> samples;  // indices within the job
    };
    // Each job starts as one node in the slot that holds its prompt; the other slots are free.
    std::vector<Node> nodes;
    std::vector<uint8_t> held(slots, 0);
    for (size_t j = 0; j < jobs.size(); j++) {
        if (jobs[j].o.n <= 0) continue;
        Node nd{offset[j], (int)j, std::vector<int>(jobs[j].o.n)};
        std::iota(nd.samples.begin(), nd.samples.end(), 0);
        held[nd.slot] = 1;
        nodes.push_back(std::move(nd));
    }
    std::vector<int> free_slots;
    for (int s = slots - 1; s >= 0; s--)
        if (!held[s]) free_slots.push_back(s);
    auto take_slot = [&] {
        int s = free_slots.back();
        free_slots.pop_back();
        return s;
    };
    std::vector<float> logits(nodes.size() * (size_t)V);  // one row per node
    for (size_t a = 0; a < nodes.size(); a++) memcpy(&logits[a * V], &last[(size_t)nodes[a].job * V], V * 4);
    TokenDistribution dist;
    for (int k = 0; !nodes.empty(); k++) {
        std::vector<Node> children;
        std::vector<int> child_token;
        std::vector<std::pair<int, int>> copies;  // (from, to): a split node's new slots
        for (size_t a = 0; a < nodes.size(); a++) {
            Node& nd = nodes[a];
            const SampleOptions& o = jobs[nd.job].o;
            dist.prepare(&logits[a * V], V, o.temperature, o.top_k);
            std::map<int, std::vector<int>> by_token;
            for (int i : nd.samples) {
                Rng rng(o.seed, (uint64_t)(o.first_index + i));  // sample i's own stream: batch-independent
                rng.index = (uint64_t)k;
                int tok = dist.draw(rng.uniform());
                if (tok == o.stop_token) continue;
                out[nd.job][i].push_back(tok);
                if ((int)out[nd.job][i].size() >= o.max_new || dec.length(nd.slot) >= cap[nd.job]) continue;
                by_token[tok].push_back(i);
            }
            if (by_token.empty()) free_slots.push_back(nd.slot);
            bool first = true;
            for (auto& [tok, members] : by_token) {
                // The first branch keeps the parent's slot; the others start from a copy of it.
                int slot = nd.slot;
                if (!first) {
                    slot = take_slot();
                    copies.push_back({nd.slot, slot});
                }
                first = false;
                children.push_back(Node{slot, nd.job, std::move(members)});
                child_token.push_back(tok);
            }
        }
        // Copies before the step: the copy must take the parent's cache before its first branch
        // extends it. Sources are held slots, targets were free: no copy overwrites another's source.
        for (const auto& [from, to] : copies) dec.copy(from, to);
        nodes = std::move(children);
        if (nodes.empty()) break;
        std::vector<int> seqs(nodes.size());
        for (size_t a = 0; a < nodes.size(); a++) seqs[a] = nodes[a].slot;
        logits.resize(nodes.size() * (size_t)V);
        dec.step(seqs.data(), child_token.data(), (int)nodes.size(), logits.data());
    }
    return out;
}

std::vector<std::vector<int>> sample(const GPT& model, const std::vector<int>& prompt, const SampleOptions& o) {
    return sample_many(model, {SampleJob{prompt, o}})[0];
}

std::vector<double> score(const GPT& model, const std::vector<int>& prompt,
                          const std::vector<std::vector<int>>& completions, const TransposedHead* head) {
    if (prompt.empty()) fail("scoring needs a non-empty prompt");
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
    // Every node with children needs the model's next-token log-probabilities, so a decoder slot that
    // holds its prefix. Depth by depth, a node's first child with children continues in the node's own
    // slot, and only its other such children copy it: a chain of single children copies nothing (every
    // node copying its parent's cache, prompt and all, was a fifth of an evaluation's time). A slot
    // whose node has only leaves below is free again at the next depth. Which slot a row lives in
    // changes no bit: each row's products and its attention are its own.
    std::vector<std::vector<int>> at_depth(depth_max + 1);
    for (int i = 0; i < (int)nodes.size(); i++)
        if (!nodes[i].kids.empty()) at_depth[nodes[i].depth].push_back(i);
    std::vector<double> out(completions.size(), 0.0);
    if (at_depth[0].empty()) return out;
    int slots = 1;
    nodes[0].slot = 0;
    std::vector<int> free_slots;
    std::vector<std::vector<std::pair<int, int>>> copies(depth_max + 1);  // per depth: (from slot, to slot)
    std::vector<char> handed(nodes.size(), 0);  // nodes whose slot a child took
    for (int d = 1; d <= depth_max; d++) {
        for (int i : at_depth[d]) {
            const int from = nodes[nodes[i].parent].slot;
            if (!handed[nodes[i].parent]) {
                handed[nodes[i].parent] = 1;
                nodes[i].slot = from;
                continue;
            }
            if (free_slots.empty()) {
                nodes[i].slot = slots++;
            } else {
                nodes[i].slot = free_slots.back();
                free_slots.pop_back();
            }
            copies[d].push_back({from, nodes[i].slot});
        }
        for (int i : at_depth[d - 1])
            if (!handed[i]) free_slots.push_back(nodes[i].slot);
    }
    const int V = model.cfg.vocab;
    Decoder dec(model, slots, (int)prompt.size() + depth_max, head);
    // The prompt in one step, its rows consecutive positions of slot 0: the same bits as token by
    // token (every row's products are its own), in one matrix product per layer instead of one per token.
    std::vector<float> prompt_rows(prompt.size() * (size_t)V);
    dec.step(std::vector<int>(prompt.size(), nodes[0].slot).data(), prompt.data(), (int)prompt.size(), prompt_rows.data());
    const float* logits = prompt_rows.data() + (prompt.size() - 1) * (size_t)V;
    std::map<int, std::vector<float>> lp;                // node -> log-probabilities of its children's tokens
    std::vector<float> e(V);
    auto log_softmax_at = [&](int node, const float* z) {
        const float mx = kernels::max(z, V);
        kernels::exp_shifted(e.data(), z, V, mx);
        const float ls = kernels::log(kernels::sum(e.data(), V));
        std::vector<float>& row = lp[node];
        for (const auto& [t, child] : nodes[node].kids) row.push_back((z[t] - mx) - ls);
    };
    log_softmax_at(0, logits);
    for (int d = 1; d <= depth_max; d++) {
        if (at_depth[d].empty()) continue;
        for (const auto& [from, to] : copies[d]) dec.copy(from, to);  // all before the step that extends `from`
        std::vector<int> seqs, toks;
        for (int i : at_depth[d]) {
            seqs.push_back(nodes[i].slot);
            toks.push_back(nodes[i].token);
        }
        std::vector<float> rows((size_t)seqs.size() * V);
        dec.step(seqs.data(), toks.data(), (int)seqs.size(), rows.data());
        for (size_t j = 0; j < at_depth[d].size(); j++) log_softmax_at(at_depth[d][j], &rows[j * V]);
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
