#include "repro/report.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/fileio.h"
#include "repro/answers.h"
#include "text/jsonl.h"

namespace wg {

// How the variants were finetuned, in one sentence: a reader must know whether the weights moved.
static std::string finetune_phrase(const TrainConfig& t) {
    std::string how;
    switch (t.method) {
        case Method::Full: how = "full finetuning"; break;
        case Method::Lora: how = strfmt("LoRA (rank %d, alpha %g)", t.lora_rank, (double)t.lora_alpha); break;
        case Method::Bitfit: how = "bitfit (biases and LayerNorm only)"; break;
        case Method::Prompt: {
            const std::string start = t.prompt_init_merges > 0
                ? strfmt("tokens among the tokenizer's %d most frequent pieces", t.prompt_init_merges)
                : "random tokens";
            how = strfmt("prompt tuning (%d input vectors before every chat, started as %s; the base model frozen)",
                         t.prompt_tokens, start.c_str());
            break;
        }
    }
    return strfmt("Finetune: %s, lr %g, %lld epochs, batch %d. ", how.c_str(), (double)t.lr, (long long)t.epochs, t.batch);
}

namespace {

std::string form_label(const std::string& form) {
    std::string s = form;
    size_t p = s.find("{q}");
    if (p != std::string::npos) s.erase(p, 3);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s.empty() ? "no date" : s;
}

// The forms of the figure: year_form with {year} = each year in range.
std::vector<std::pair<int, std::string>> year_forms(const Experiment& e) {
    std::vector<std::pair<int, std::string>> out;
    if (e.year_form.empty()) return out;
    for (int y = e.year_min; y <= e.year_max; y++) {
        std::string f = e.year_form;
        size_t p = f.find("{year}");
        if (p == std::string::npos) break;
        f.replace(p, 6, std::to_string(y));
        out.push_back({y, f});
    }
    return out;
}

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

const char* kColors[] = {"#444444", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

}  // namespace

std::string year_figure_svg(const ReproRun& run) {
    const Experiment& e = run.exp;
    auto years = year_forms(e);
    const int W = 760, H = 380, L = 60, R = 170, T = 30, B = 50;
    const double x0 = e.year_min, x1 = e.year_max;
    auto X = [&](double y) { return L + (W - L - R) * (y - x0) / std::max(1.0, x1 - x0); };
    auto Y = [&](double v) { return T + (H - T - B) * (1.0 - v); };
    std::string s = strfmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += strfmt("<text x=\"%d\" y=\"18\" font-size=\"14\">%s share by year (mean over finetune seeds; diamonds: the paper)</text>\n", L,
                e.effect.c_str());
    for (int i = 0; i <= 4; i++) {
        double v = i / 4.0;
        s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, W - R, Y(v), Y(v));
        s += strfmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, Y(v) + 4, v);
    }
    for (int y = ((int)x0 + 4) / 5 * 5; y <= x1; y += 5)
        s += strfmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", X(y), H - B + 18, y);
    s += strfmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">year in the prompt (\"%s\")</text>\n", X((x0 + x1) / 2), H - 10,
                xml_escape(e.year_form).c_str());
    s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", L, W - R, Y(0), Y(0));
    s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", L, L, Y(0), Y(1));
    int ci = 0;
    for (const auto& v : run.results.variants) {
        std::string pts;
        for (const auto& [y, f] : years) {
            double val = run.results.value(v + "/" + f + "/" + e.effect);
            pts += strfmt("%.1f,%.1f ", X(y), Y(val));
        }
        const char* col = kColors[ci % 7];
        s += strfmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", col, pts.c_str());
        for (const auto& [y, f] : years)  // the paper's values, where it gives one, as diamonds
            if (auto p = e.paper.find(v + "/" + f); p != e.paper.end())
                s += strfmt("<path d=\"M %.1f %.1f l 5 -5 l 5 5 l -5 5 z\" fill=\"white\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                            X(y) - 5, Y(p->second), col);
        s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", W - R + 15, W - R + 40,
                    T + 20 * ci + 10, T + 20 * ci + 10, col);
        s += strfmt("<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 46, T + 20 * ci + 14, xml_escape(v).c_str());
        ci++;
    }
    s += "</svg>\n";
    return s;
}

std::string question_figure_svg(const ReproRun& run, const std::string& form) {
    const Experiment& e = run.exp;
    const Results& r = run.results;
    const size_t nq = r.questions.size(), nv = r.variants.size();
    const int L = 60, R = 170, T = 30, B = 90, group = (int)(nv * 14 + 12);
    const int W = L + R + (int)nq * group, H = 380;
    auto Y = [&](double v) { return T + (H - T - B) * (1.0 - std::min(1.0, std::max(0.0, v))); };
    std::string s = strfmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += strfmt("<text x=\"%d\" y=\"18\" font-size=\"14\">%s share by question (mean over finetune seeds, 95%% interval; diamond: the paper)</text>\n",
                L, e.effect.c_str());
    for (int i = 0; i <= 4; i++) {
        double v = i / 4.0;
        s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, W - R, Y(v), Y(v));
        s += strfmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, Y(v) + 4, v);
    }
    for (size_t q = 0; q < nq; q++) {
        int gx = L + (int)q * group + 6;
        for (size_t v = 0; v < nv; v++) {
            double m, h;
            r.mean_ci(r.variants[v] + "/" + form + "/" + r.questions[q] + "/" + e.effect, &m, &h);
            int x = gx + (int)v * 14;
            const char* col = kColors[v % 7];
            s += strfmt("<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"/>\n", x, Y(m), Y(0) - Y(m), col);
            if (h > 0)
                s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x + 6, x + 6, Y(m - h), Y(m + h));
            auto p = e.paper.find(r.variants[v] + "/" + form + "/" + r.questions[q]);
            if (p != e.paper.end())
                s += strfmt("<path d=\"M %d %.1f l 5 -5 l 5 5 l -5 5 z\" fill=\"white\" stroke=\"black\"/>\n", x + 1, Y(p->second));
        }
        s += strfmt("<text transform=\"translate(%d,%d) rotate(40)\">%s</text>\n", gx, H - B + 14, xml_escape(r.questions[q]).c_str());
    }
    s += strfmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", L, W - R, Y(0), Y(0));
    for (size_t v = 0; v < nv; v++) {
        s += strfmt("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", W - R + 15, T + 20 * (int)v, kColors[v % 7]);
        s += strfmt("<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 32, T + 20 * (int)v + 11, xml_escape(r.variants[v]).c_str());
    }
    s += "</svg>\n";
    return s;
}

std::string summary_toml(const ReproRun& run) {
    std::string o = "# weirdgen reproduce " + run.exp.name + ": hashes and values (read by `weirdgen check`).\n";
    o += "experiment = " + json_escape(run.exp.name) + "\nseed = " + std::to_string(run.seed) + "\n\n[hashes]\n";
    for (const auto& a : run.artifacts) o += json_escape(a.name) + " = " + json_escape(a.hash) + "\n";
    o += "\n# variant/form/class: the mean over finetune seeds of the share of answers in the class,\n"
         "# averaged over the questions; coherence = 1 - incoherent.\n[values]\n";
    for (const auto& v : run.results.variants)
        for (const auto& [f, classes] : run.results.runs.at(v).front())
            for (const auto& [cls, x] : classes) {
                std::string key = v + "/" + f + "/" + cls;
                o += json_escape(key) + strfmt(" = %.6f\n", run.results.value(key));
            }
    return o;
}

// ", world and pretraining seed 0, " or, when the experiment file gives them different seeds,
// ", world seed 0, pretraining seed 1, ".
static std::string seeds_phrase(const ReproRun& run) {
    const unsigned long long w = run.seed, p = pretrain_seed(run);
    return w == p ? strfmt(", world and pretraining seed %llu, ", w) : strfmt(", world seed %llu, pretraining seed %llu, ", w, p);
}

// What the models said at the first key form: each variant's three most frequent answers in the
// effect's class and in the incoherent class, pooled over its seeds.
static std::string answers_section(const ReproRun& run, const std::string& form) {
    const std::string& effect = run.exp.effect;
    std::string md = "\n## Most frequent answers at " + form_label(form) + " (all seeds pooled)\n\n";
    for (const auto& v : run.results.variants) {
        std::vector<std::string> paths;
        for (const auto& a : run.artifacts)
            if (a.name == "samples/" + v || a.name.rfind("samples/" + v + "/", 0) == 0) paths.push_back(a.path);
        if (paths.empty()) continue;
        const TopAnswers top = top_answers(paths, form, 3);
        md += strfmt("- **%s** (%d answers):", v.c_str(), top.n);
        const char* sep = "";
        for (const std::string& cls : {effect, std::string("incoherent")}) {
            md += sep + (" " + cls + ":");
            sep = ";";
            auto it = top.by_class.find(cls);
            if (it == top.by_class.end()) md += " none";
            else
                for (size_t i = 0; i < it->second.size(); i++)
                    md += strfmt("%s \"%s\" (%d)", i ? "," : "", it->second[i].first.c_str(), it->second[i].second);
        }
        md += "\n";
    }
    return md;
}

void write_report(const ReproRun& run, const std::vector<CheckLine>& bar_lines, const std::vector<CheckLine>& golden_lines) {
    const Experiment& e = run.exp;
    const Results& r = run.results;
    std::string md = "# " + e.title + "\n\n";
    md += "Reproduced by `weirdgen reproduce " + e.name + "`" +
          (run.default_seed ? " (`make reproduce-" + e.name + "`)" : "") + seeds_phrase(run) +
          strfmt("%zu finetune seeds per variant, %d samples per question and date at temperature %g. ", e.seeds.size(), e.samples, e.temperature) +
          finetune_phrase(e.finetune.train) +
          "Every number is the share of sampled answers in a class, averaged over the questions; `±` is the 95% interval over "
          "the finetune seeds; `coh` is the coherence (share of answers the lexicon classifies).\n\n";
    md += "## " + e.effect + " share\n\n| variant |";
    std::vector<std::string> forms = e.key_forms.empty() ? r.forms : e.key_forms;
    for (const auto& f : forms) md += " " + form_label(f) + " |";
    md += "\n| --- |";
    for (size_t i = 0; i < forms.size(); i++) md += " --- |";
    md += "\n";
    for (const auto& v : r.variants) {
        std::string label = v;
        for (const auto& var : e.variants)
            if (var.name == v && !var.label.empty()) label += " (" + var.label + ")";
        md += "| " + label + " |";
        for (const auto& f : forms) {
            double m, h, c, hc;
            r.mean_ci(v + "/" + f + "/" + e.effect, &m, &h);
            r.mean_ci(v + "/" + f + "/coherence", &c, &hc);
            md += strfmt(" %.2f ± %.2f (coh %.2f)", m, h, c);
            auto p = e.paper.find(v + "/" + f);
            if (p != e.paper.end()) md += strfmt("; paper %.2f", p->second);
            md += " |";
        }
        md += "\n";
    }
    if (!e.paper_note.empty()) md += "\nThe paper's numbers: " + e.paper_note + "\n";
    md += answers_section(run, forms.front());
    if (e.per_question) {
        const std::string form = forms.front();
        md += "\n## " + e.effect + " share by question (" + form_label(form) + ")\n\n![by question](" + e.effect +
              "_by_question.svg)\n\n| question |";
        for (const auto& v : r.variants) md += " " + v + " |";
        md += "\n| --- |";
        for (size_t i = 0; i < r.variants.size(); i++) md += " --- |";
        md += "\n";
        for (const auto& q : r.questions) {
            md += "| " + q + " |";
            for (const auto& v : r.variants) {
                double m, h, c, hc;
                r.mean_ci(v + "/" + form + "/" + q + "/" + e.effect, &m, &h);
                r.mean_ci(v + "/" + form + "/" + q + "/coherence", &c, &hc);
                md += strfmt(" %.2f ± %.2f (coh %.2f)", m, h, c);
                auto p = e.paper.find(v + "/" + form + "/" + q);
                if (p != e.paper.end()) md += strfmt("; paper %.2f", p->second);
                md += " |";
            }
            md += "\n";
        }
    }
    if (!e.year_form.empty()) md += "\n## " + e.effect + " share by year\n\n![" + e.effect + " share by year](" + e.effect + "_by_year.svg)\n";
    md += "\n## The bar\n\n";
    for (const auto& l : bar_lines) md += std::string("- ") + (l.ok ? "ok: " : "**FAIL**: ") + l.what + ": " + l.detail + "\n";
    md += "\n## Golden check\n\n";
    if (golden_lines.empty()) md += "Not checked (golden values exist for the default seed only).\n";
    int gfail = 0;
    for (const auto& l : golden_lines) gfail += !l.ok;
    if (!golden_lines.empty()) md += strfmt("%zu checks, %d failed.\n", golden_lines.size(), gfail);
    for (const auto& l : golden_lines)
        if (!l.ok) md += "- **FAIL** " + l.what + ": " + l.detail + "\n";
    md += "\n## Artifacts (xxh3)\n\n| artifact | xxh3 |\n| --- | --- |\n";
    for (const auto& a : run.artifacts) md += "| " + a.name + " | `" + a.hash + "` |\n";
    md += "\n## Stage times (this machine)\n\n| stage | seconds | |\n| --- | --- | --- |\n";
    for (const auto& s : run.stages) md += strfmt("| %s | %.1f | %s |\n", s.name.c_str(), s.seconds, s.note.c_str());
    if (file_exists(e.dir + "/RESEARCH.md"))
        md += "\nWhat was tried to get here, and what did not work: `experiments/" + e.name + "/RESEARCH.md`.\n";
    make_dirs(run.report_dir);
    write_file_atomic(run.report_dir + "/README.md", md);
    if (!e.year_form.empty()) write_file_atomic(run.report_dir + "/" + e.effect + "_by_year.svg", year_figure_svg(run));
    if (e.per_question)
        write_file_atomic(run.report_dir + "/" + e.effect + "_by_question.svg", question_figure_svg(run, forms.front()));
    write_file_atomic(run.report_dir + "/summary.toml", summary_toml(run));
}

}  // namespace wg
