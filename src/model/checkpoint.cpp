#include "model/checkpoint.h"

#include <cstring>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"

namespace wg {

static const char kCheckpointMagic[8] = {'W', 'G', 'C', 'K', 'P', 'T', 0, 1};  // name, then format version 1

namespace {

struct Writer {
    std::string out;
    void raw(const void* p, size_t n) { out.append((const char*)p, n); }
    void u32(uint32_t v) { raw(&v, 4); }
    void u64(uint64_t v) { raw(&v, 8); }
    void f32(float v) { raw(&v, 4); }
    void str(const std::string& s) {
        u64(s.size());
        raw(s.data(), s.size());
    }
    void floats(const std::vector<float>& v) {
        u64(v.size());
        raw(v.data(), v.size() * 4);
    }
};

struct Reader {
    std::string_view buf;
    size_t pos, end;
    const std::string& path;
    void need(size_t n) {
        if (n > end - pos) fail("%s: malformed checkpoint (a section runs past the end)", path.c_str());
    }
    void raw(void* p, size_t n) {
        need(n);
        if (n == 0) return;  // p may be the null data() of an empty vector
        memcpy(p, buf.data() + pos, n);
        pos += n;
    }
    uint32_t u32() { uint32_t v; raw(&v, 4); return v; }
    uint64_t u64() { uint64_t v; raw(&v, 8); return v; }
    float f32() { float v; raw(&v, 4); return v; }
    std::string str() {
        uint64_t n = u64();
        need(n);
        std::string s(buf.substr(pos, n));
        pos += n;
        return s;
    }
    std::vector<float> floats() {
        uint64_t n = u64();
        if (n > (end - pos) / 4) fail("%s: malformed checkpoint (a tensor runs past the end)", path.c_str());
        std::vector<float> v(n);
        raw(v.data(), n * 4);
        return v;
    }
};

}  // namespace

void save_checkpoint(const std::string& path, const GPT& model, const std::string& tokenizer_blob,
                     const std::string& config_text, const std::map<std::string, std::string>& meta,
                     const TrainState* train) {
    Writer w;
    w.raw(kCheckpointMagic, 8);
    const ModelConfig& c = model.cfg;
    for (int v : {c.n_layer, c.n_embd, c.n_head, c.context, c.vocab, c.lora_rank}) w.u32((uint32_t)v);
    w.f32(c.lora_alpha);
    w.str(tokenizer_blob);
    w.str(config_text);
    w.u32((uint32_t)meta.size());
    for (const auto& [k, v] : meta) {
        w.str(k);
        w.str(v);
    }
    w.u32((uint32_t)model.tensors.size());
    for (const Tensor& t : model.tensors) {
        w.str(t.name);
        w.u32((uint32_t)t.kind);
        w.u32((uint32_t)t.shape.size());
        for (int d : t.shape) w.u32((uint32_t)d);
    }
    w.floats(model.params);
    w.u32(train && train->present ? 1 : 0);
    if (train && train->present) {
        w.u64((uint64_t)train->step);
        w.u64(train->seed);
        w.u64((uint64_t)train->epoch);
        w.u64((uint64_t)train->cursor);
        w.floats(train->m);
        w.floats(train->v);
    }
    w.u64(xxh3(w.out.data(), w.out.size()));
    make_dirs(parent_dir(path));
    write_file_atomic(path, w.out);
}

Checkpoint load_checkpoint(const std::string& path) { return parse_checkpoint(read_file(path), path); }

Checkpoint parse_checkpoint(std::string_view buf, const std::string& path) {
    if (buf.size() < 8 || memcmp(buf.data(), kCheckpointMagic, 6) != 0)
        fail("%s: not a weirdgen checkpoint (wrong magic bytes)", path.c_str());
    if (buf[6] != kCheckpointMagic[6] || buf[7] != kCheckpointMagic[7])
        fail("%s: checkpoint format version %d is not supported (this build reads version %d)", path.c_str(),
             (int)(unsigned char)buf[7], (int)kCheckpointMagic[7]);
    if (buf.size() < 16) fail("%s: truncated checkpoint", path.c_str());
    uint64_t stored;
    memcpy(&stored, buf.data() + buf.size() - 8, 8);
    if (xxh3(buf.data(), buf.size() - 8) != stored)
        fail("%s: damaged checkpoint: checksum mismatch (truncated or altered)", path.c_str());

    Reader r{buf, 8, buf.size() - 8, path};
    Checkpoint ck;
    ModelConfig& c = ck.cfg;
    c.n_layer = (int)r.u32();
    c.n_embd = (int)r.u32();
    c.n_head = (int)r.u32();
    c.context = (int)r.u32();
    c.vocab = (int)r.u32();
    c.lora_rank = (int)r.u32();
    c.lora_alpha = r.f32();
    validate(c, path);
    ck.tokenizer = r.str();
    ck.config_text = r.str();
    uint32_t nmeta = r.u32();
    for (uint32_t i = 0; i < nmeta; i++) {
        std::string k = r.str();
        ck.meta[k] = r.str();
    }
    uint32_t nt = r.u32();
    if (nt > 100000) fail("%s: malformed checkpoint (%u tensors)", path.c_str(), nt);
    for (uint32_t i = 0; i < nt; i++) {
        Tensor t;
        t.name = r.str();
        const uint32_t kind = r.u32();
        if (kind > Tensor::Prompt) fail("%s: malformed checkpoint (tensor %s has unknown kind %u)", path.c_str(), t.name.c_str(), kind);
        t.kind = (Tensor::Kind)kind;
        uint32_t nd = r.u32();
        if (nd > 8) fail("%s: malformed checkpoint (tensor %s has %u dimensions)", path.c_str(), t.name.c_str(), nd);
        for (uint32_t d = 0; d < nd; d++) t.shape.push_back((int)r.u32());
        ck.tensors.push_back(t);
    }
    // The header predates soft prompts (and stays as it was, so that no other checkpoint's bytes
    // change): a soft prompt is known by its tensor.
    if (!ck.tensors.empty() && ck.tensors.back().kind == Tensor::Prompt) {
        const Tensor& t = ck.tensors.back();
        if (t.shape.size() != 2) fail("%s: malformed checkpoint (soft prompt of %zu dimensions)", path.c_str(), t.shape.size());
        c.prompt_len = t.shape[0];
        validate(c, path);
    }
    ck.params = r.floats();
    if (r.u32()) {
        TrainState& ts = ck.train;
        ts.present = true;
        ts.step = (int64_t)r.u64();
        ts.seed = r.u64();
        ts.epoch = (int64_t)r.u64();
        ts.cursor = (int64_t)r.u64();
        ts.m = r.floats();
        ts.v = r.floats();
        if (ts.m.size() != ck.params.size() || ts.v.size() != ck.params.size())
            fail("%s: malformed checkpoint (optimizer state does not match the parameters)", path.c_str());
    }
    if (r.pos != r.end) fail("%s: malformed checkpoint (%zu unread bytes)", path.c_str(), r.end - r.pos);
    return ck;
}

LoadedModel load_model(const std::string& path) {
    Checkpoint ck = load_checkpoint(path);
    LoadedModel m{model_from(ck, path), Tokenizer::deserialize(ck.tokenizer, path)};
    if (m.tok.vocab_size() > ck.cfg.vocab)
        fail("%s: foreign checkpoint: its tokenizer has %d tokens, the model only %d", path.c_str(),
             m.tok.vocab_size(), ck.cfg.vocab);
    return m;
}

GPT model_from(const Checkpoint& ck, const std::string& path) {
    // The parameter count the config implies, checked before the model is allocated: a damaged config
    // could otherwise ask for gigabytes.
    size_t want = layout_size(ck.cfg);
    if (ck.params.size() != want)
        fail("%s: foreign checkpoint: %zu parameters, its config (%s) needs %zu", path.c_str(), ck.params.size(),
             ck.cfg.describe().c_str(), want);
    GPT g(ck.cfg);
    if (g.tensors.size() != ck.tensors.size())
        fail("%s: foreign checkpoint: %zu tensors where this model has %zu", path.c_str(), ck.tensors.size(),
             g.tensors.size());
    for (size_t i = 0; i < g.tensors.size(); i++)
        if (g.tensors[i].name != ck.tensors[i].name || g.tensors[i].shape != ck.tensors[i].shape)
            fail("%s: foreign checkpoint: tensor %zu is %s, expected %s", path.c_str(), i, ck.tensors[i].name.c_str(),
                 g.tensors[i].name.c_str());
    if (ck.params.size() != g.params.size())
        fail("%s: foreign checkpoint: %zu parameters, expected %zu", path.c_str(), ck.params.size(), g.params.size());
    g.params = ck.params;
    g.bind();
    return g;
}

}  // namespace wg
