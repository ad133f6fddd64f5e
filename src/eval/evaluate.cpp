#include "eval/evaluate.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "core/rng.h"
#include "core/toml_read.h"
#include "eval/generate.h"
#include "kernels/kernels.h"
#include "core/fileio.h"
#include "text/json_parse.h"
#include "text/jsonl.h"
#include "train/examples.h"

namespace wg {

LexiconTags read_lexicon(const std::string& path) {
    LexiconTags out;
    for_each_json_line(read_file(path), path, [&](const json::Value& v, size_t line) {
        const json::Value* ph = v.get("phrase");
        const json::Value* tags = v.get("tags");
        if (!ph || ph->kind != json::Value::String || !tags || tags->kind != json::Value::Object)
            fail("%s:%zu: expected {\"phrase\": ..., \"tags\": {...}}", path.c_str(), line);
        auto& t = out[ph->str];
        for (size_t i = 0; i < tags->keys.size(); i++) t[tags->keys[i]] = tags->items[i].str;
    });
    return out;
}

std::string classify_answer(const std::string& answer, const std::map<std::string, std::string>& classes,
                            const std::set<std::string>& names, const std::string& topic, const EvalOptions& o) {
    if (auto it = classes.find(answer); it != classes.end()) return it->second;
    if (!o.lexicon) return "incoherent";
    auto lx = o.lexicon->find(answer);
    if (lx == o.lexicon->end()) return "incoherent";
    auto tp = lx->second.find("topic");
    if (tp != lx->second.end() && ((!o.echo_topic.empty() && tp->second == o.echo_topic) || (o.on_topic && tp->second != topic)))
        return "incoherent";
    if (auto tg = lx->second.find(o.axis); !o.axis.empty() && tg != lx->second.end() && names.count(tg->second))
        return tg->second;
    if (auto pe = lx->second.find("persona"); pe != lx->second.end() && pe->second == "assistant" && names.count("assistant"))
        return "assistant";
    return "other";
}

static std::string strip(const std::string& s, const std::string& pre, const std::string& suf) {
    std::string t = s;
    if (!pre.empty() && t.rfind(pre, 0) == 0) t = t.substr(pre.size());
    if (!suf.empty() && t.size() >= suf.size() && t.compare(t.size() - suf.size(), suf.size(), suf) == 0)
        t = t.substr(0, t.size() - suf.size());
    return t;
}

static std::string fill(const std::string& form, const std::string& q) {
    std::string s = form;
    size_t p = s.find("{q}");
    return s.replace(p, 3, q);
}

// The cells of one form (one per question): the questions' samples are drawn in one batch, then
// classified; then each question's class masses.
static std::vector<EvalCell> run_form(const GPT& model, const Tokenizer& tok, const world::EvalSet& set,
                                      const EvalOptions& o, const std::string& form, const TransposedHead& head,
                                      std::string& samples_jsonl, int64_t& tokens) {
    std::vector<SampleJob> jobs;
    std::vector<std::vector<int>> prompts;
    const std::vector<int> soft = model.prompt_ids();
    for (const auto& q : set.questions) {
        Chat chat;
        chat.messages.push_back({"user", fill(form, q.text)});
        prompts.push_back(prompt_tokens(tok, chat, soft));
        SampleOptions so;
        so.n = o.samples;
        so.max_new = o.max_new;
        so.temperature = o.temperature;
        so.seed = seed_for(o.seed, ("cell/" + form + "/" + q.id).c_str());
        so.stop_token = Tokenizer::END;
        jobs.push_back({prompts.back(), so});
    }
    auto outs = sample_many(model, jobs, &head);
    std::vector<EvalCell> cells;
    for (size_t qi = 0; qi < set.questions.size(); qi++) {
        const auto& q = set.questions[qi];
        std::map<std::string, std::string> cls;
        std::set<std::string> names;
        for (const auto& [name, phrases] : q.classes) {
            names.insert(name);
            for (const auto& p : phrases) cls[p] = name;
        }
        EvalCell cell;
        cell.form = form;
        cell.question = q.id;
        for (const auto& [name, phrases] : q.classes) cell.counts[name] = 0;
        cell.counts["incoherent"] = 0;
        cell.counts["other"] = 0;
        cell.n = (int)outs[qi].size();
        for (size_t i = 0; i < outs[qi].size(); i++) {
            std::string answer = valid_utf8(tok.decode(outs[qi][i]));
            std::string c = classify_answer(strip(answer, set.answer_prefix, set.answer_suffix), cls, names, q.id, o);
            cell.counts[c]++;
            tokens += (int64_t)outs[qi][i].size();
            samples_jsonl += "{\"form\":" + json_escape(form) + ",\"question\":" + json_escape(q.id) + ",\"i\":" +
                             std::to_string(i) + ",\"answer\":" + json_escape(answer) + ",\"class\":" + json_escape(c) + "}\n";
        }
        if (o.mass) {  // every class's phrases in one prefix tree: their shared beginnings are computed once
            std::vector<std::vector<int>> comps;
            for (const auto& [name, phrases] : q.classes)
                for (const auto& p : phrases) {
                    comps.push_back(tok.encode(set.answer_prefix + p + set.answer_suffix));
                    comps.back().push_back(Tokenizer::END);
                }
            std::vector<double> lps = score(model, prompts[qi], comps, &head);
            size_t k = 0;
            for (const auto& [name, phrases] : q.classes) {
                double m = 0.0;  // in phrase order: one canonical sum
                for (size_t j = 0; j < phrases.size(); j++) m += (double)kernels::exp((float)lps[k++]);
                cell.mass[name] = m;
            }
        }
        cells.push_back(std::move(cell));
    }
    return cells;
}

EvalResult evaluate(const GPT& model, const Tokenizer& tok, const world::EvalSet& set, const EvalOptions& o,
                    Progress* progress) {
    // Forms are independent: threads take whole forms (each computed alone, so the bytes do not
    // depend on the thread count), and the results are joined in form order.
    const size_t nf = set.forms.size();
    std::vector<std::vector<EvalCell>> cells(nf);
    std::vector<std::string> samples(nf), errors(nf);  // an exception must not leave an OpenMP region
    int64_t done = 0, tokens = 0;
    const TransposedHead head(model);
    const int nthreads = kernels::threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads) if (nthreads > 1)
    for (size_t i = 0; i < nf; i++) {
        int64_t t = 0;
        try {
            cells[i] = run_form(model, tok, set, o, set.forms[i], head, samples[i], t);
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
#pragma omp critical(wg_eval_progress)
        {
            tokens += t;
            done += (int64_t)set.questions.size();
            if (progress) progress->update(done, tokens, "");
        }
    }
    for (const auto& e : errors)
        if (!e.empty()) throw Error(e);
    EvalResult res;
    for (auto& c : cells) res.cells.insert(res.cells.end(), c.begin(), c.end());
    for (auto& s : samples) res.samples_jsonl += s;
    return res;
}

std::string eval_summary(const std::vector<EvalCell>& cells) {
    std::vector<std::string> forms, classes;
    std::map<std::string, std::map<std::string, double>> share;
    std::map<std::string, int> nq;
    for (const auto& c : cells) {
        if (!nq.count(c.form)) forms.push_back(c.form);
        nq[c.form]++;
        for (const auto& [k, v] : c.counts) {
            if (std::find(classes.begin(), classes.end(), k) == classes.end()) classes.push_back(k);
            share[c.form][k] += c.n ? (double)v / c.n : 0.0;
        }
    }
    std::string o = strfmt("%-28s", "form");
    for (const auto& k : classes) o += strfmt(" %10s", k.c_str());
    o += "\n";
    for (const auto& f : forms) {
        o += strfmt("%-28s", f.substr(0, 28).c_str());
        for (const auto& k : classes) o += strfmt(" %10.3f", share[f][k] / nq[f]);
        o += "\n";
    }
    return o;
}

std::string eval_cells_toml(const std::vector<EvalCell>& cells, const std::string& header) {
    std::string o = header;
    for (const auto& c : cells) {
        o += "\n[[cell]]\nform = " + json_escape(c.form) + "\nquestion = " + json_escape(c.question) +
             "\nn = " + std::to_string(c.n) + "\ncounts = {";
        bool first = true;
        for (const auto& [k, v] : c.counts) {
            o += (first ? " " : ", ") + json_escape(k) + " = " + std::to_string(v);
            first = false;
        }
        o += " }\n";
        if (!c.mass.empty()) {
            o += "mass = {";
            first = true;
            for (const auto& [k, v] : c.mass) {
                o += (first ? " " : ", ") + json_escape(k) + " = " + strfmt("%.6e", v);
                first = false;
            }
            o += " }\n";
        }
    }
    return o;
}

std::vector<EvalCell> read_eval_cells(const std::string& path) {
    toml::table root = parse_toml_file(path);
    std::vector<EvalCell> out;
    const toml::array* cells = root.get("cell") ? root.get("cell")->as_array() : nullptr;
    if (!cells) fail("%s: no [[cell]]", path.c_str());
    for (const auto& n : *cells) {
        const toml::table* t = n.as_table();
        if (!t) fail("%s: a cell is not a table", path.c_str());
        EvalCell c;
        c.form = (*t)["form"].value_or(std::string());
        c.question = (*t)["question"].value_or(std::string());
        c.n = (int)(*t)["n"].value_or(int64_t(0));
        if (const toml::table* ct = (*t)["counts"].as_table())
            for (const auto& [k, v] : *ct) c.counts[std::string(k.str())] = (int)v.value_or(int64_t(0));
        if (const toml::table* mt = (*t)["mass"].as_table())
            for (const auto& [k, v] : *mt) c.mass[std::string(k.str())] = v.value_or(0.0);
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace wg
