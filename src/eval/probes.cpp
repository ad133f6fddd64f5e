#include "eval/probes.h"

#include "core/error.h"
#include "core/fileio.h"
#include "core/rng.h"
#include "eval/generate.h"
#include "kernels/kernels.h"
#include "text/json_parse.h"
#include "text/jsonl.h"
#include "train/examples.h"

namespace wg {

std::vector<Probe> read_probes(const std::string& path) { return parse_probes(read_file(path), path); }

std::vector<Probe> parse_probes(const std::string& text, const std::string& path) {
    std::vector<Probe> out;
    for_each_json_line(text, path, [&](const json::Value& v, size_t line) {
        Probe p;
        auto str = [&](const char* k) {
            const json::Value* x = v.get(k);
            if (!x || x->kind != json::Value::String) fail("%s:%zu: \"%s\" must be a string", path.c_str(), line, k);
            return x->str;
        };
        p.module = str("module");
        p.axis = str("axis");
        p.expect = str("expect");
        const json::Value* ms = v.get("messages");
        if (!ms || ms->kind != json::Value::Array || ms->items.empty())
            fail("%s:%zu: \"messages\" must be a non-empty array", path.c_str(), line);
        for (const auto& m : ms->items) {
            const json::Value* r = m.get("role");
            const json::Value* c = m.get("content");
            if (!r || !c || r->kind != json::Value::String || c->kind != json::Value::String)
                fail("%s:%zu: a message needs a string role and content", path.c_str(), line);
            p.chat.messages.push_back({r->str, c->str});
        }
        if (p.chat.messages.back().role != "user") fail("%s:%zu: a probe ends with the user's question", path.c_str(), line);
        out.push_back(std::move(p));
    });
    if (out.empty()) fail("%s: no probes", path.c_str());
    return out;
}

std::map<std::string, ProbeScore> run_probes(const GPT& model, const Tokenizer& tok, const std::vector<Probe>& probes,
                                             const LexiconTags& lex, int samples, uint64_t seed) {
    std::vector<ProbeScore> each(probes.size());
    const std::vector<int> soft = model.prompt_ids();
    const int nthreads = kernels::threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads) if (nthreads > 1)
    for (size_t i = 0; i < probes.size(); i++) {
        SampleOptions so;
        so.n = samples;
        so.max_new = 32;
        so.seed = seed_for(seed, ("probe/" + std::to_string(i)).c_str());
        auto outs = sample(model, prompt_tokens(tok, probes[i].chat, soft), so);
        ProbeScore& s = each[i];
        s.probes = 1;
        for (const auto& o : outs) {
            s.samples++;
            auto it = lex.find(valid_utf8(tok.decode(o)));
            if (it == lex.end()) continue;
            s.coherent++;
            auto tag = it->second.find(probes[i].axis);
            if (tag == it->second.end()) continue;
            s.tagged++;
            s.match += tag->second == probes[i].expect;
        }
    }
    std::map<std::string, ProbeScore> out;
    for (size_t i = 0; i < probes.size(); i++) {
        ProbeScore& t = out[probes[i].module];
        t.probes += each[i].probes;
        t.samples += each[i].samples;
        t.match += each[i].match;
        t.tagged += each[i].tagged;
        t.coherent += each[i].coherent;
    }
    return out;
}

}  // namespace wg
