#include "repro/results.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace wg {

FormShares shares_of(const std::vector<EvalCell>& cells) {
    FormShares out;
    std::map<std::string, int> nq;
    for (const auto& c : cells) {
        nq[c.form]++;
        for (const auto& [k, v] : c.counts) {
            double share = c.n ? (double)v / c.n : 0.0;
            out[c.form][k] += share;
            out[c.form + "/" + c.question][k] = share;
        }
    }
    for (auto& [key, m] : out) {
        if (nq.count(key))
            for (auto& [k, v] : m) v /= nq[key];
        m["coherence"] = 1.0 - m["incoherent"];
    }
    return out;
}

void Results::add(const std::string& variant, const std::vector<EvalCell>& cells) {
    if (!runs.count(variant)) variants.push_back(variant);
    runs[variant].push_back(shares_of(cells));
    for (const auto& c : cells) {
        if (std::find(forms.begin(), forms.end(), c.form) == forms.end()) forms.push_back(c.form);
        if (std::find(questions.begin(), questions.end(), c.question) == questions.end()) questions.push_back(c.question);
    }
}

static std::vector<double> samples_of(const Results& r, const std::string& key) {
    size_t a = key.find('/'), b = key.rfind('/');
    if (a == std::string::npos || a == b) fail("result \"%s\": expected variant/form[/question]/class", key.c_str());
    std::string variant = key.substr(0, a), form = key.substr(a + 1, b - a - 1), cls = key.substr(b + 1);
    auto it = r.runs.find(variant);
    if (it == r.runs.end()) fail("result \"%s\": no variant \"%s\"", key.c_str(), variant.c_str());
    std::vector<double> v;
    for (const auto& run : it->second) {
        auto f = run.find(form);
        if (f == run.end()) fail("result \"%s\": no form \"%s\"", key.c_str(), form.c_str());
        auto c = f->second.find(cls);
        v.push_back(c == f->second.end() ? 0.0 : c->second);
    }
    return v;
}

void Results::mean_ci(const std::string& key, double* mean, double* half) const {
    std::vector<double> v = samples_of(*this, key);
    double m = 0;
    for (double x : v) m += x;
    m /= (double)v.size();
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    static const double t95[] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228};
    size_t n = v.size();
    double t = n - 1 <= 10 ? t95[n - 1] : 1.96;
    *mean = m;
    *half = n > 1 ? t * std::sqrt(ss / (double)(n - 1)) / std::sqrt((double)n) : 0.0;
}

double eval_expr(const std::string& expr, const std::function<double(const std::string&)>& leaf) {
    size_t minus = expr.find(" - ");
    if (minus != std::string::npos) return eval_expr(expr.substr(0, minus), leaf) - eval_expr(expr.substr(minus + 3), leaf);
    return leaf(expr);
}

double Results::value(const std::string& expr) const {
    return eval_expr(expr, [&](const std::string& key) {
        double m, h;
        mean_ci(key, &m, &h);
        return m;
    });
}

double Results::min_coherence() const {
    double lo = 1.0;
    for (const auto& [v, runs_] : runs)
        for (const auto& run : runs_)
            for (const auto& [form, m] : run)
                if (form.find('/') == std::string::npos) lo = std::min(lo, m.at("coherence"));
    return lo;
}

}  // namespace wg
