// The numbers of a reproduction: for every model (the base, and each variant x finetune seed), per
// prompt form, the share of each answer class averaged over the questions, and the coherence (1 - the
// share of incoherent answers). Variants are summarised by the mean over seeds and a 95% interval
// (Student's t over the seeds).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eval/evaluate.h"

namespace wg {

// form -> class -> share averaged over the questions; the key "form/question" holds one question's shares.
using FormShares = std::map<std::string, std::map<std::string, double>>;

FormShares shares_of(const std::vector<EvalCell>& cells);

// A result expression: a key, or "A - B" (a difference); leaf gives the value of one key.
double eval_expr(const std::string& expr, const std::function<double(const std::string&)>& leaf);

struct Results {
    std::vector<std::string> variants;                  // "base" first, in the experiment's order
    std::map<std::string, std::vector<FormShares>> runs;  // variant -> one entry per seed
    std::vector<std::string> forms, questions;          // in the questions file's order

    void add(const std::string& variant, const std::vector<EvalCell>& cells);
    // "variant/form/class" (or "variant/form/question/class" for one question) averaged over seeds;
    // "A - B" is a difference. Fails on an unknown key.
    double value(const std::string& expr) const;
    // Mean and half-width of the 95% interval over the seeds of "variant/form/class".
    void mean_ci(const std::string& key, double* mean, double* half) const;
    // The lowest coherence of any model at any form.
    double min_coherence() const;
};

}  // namespace wg
