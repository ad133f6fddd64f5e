// Checking a reproduction: against the experiment's bar (the effect the paper's claim needs), and
// against golden/<name>.toml (the hash of every artifact, and the accepted range of every effect).
// A golden file changes only with a note saying why the new values are right.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "repro/experiment.h"

namespace wg {

struct CheckLine {
    std::string what, detail;
    bool ok = false;
};

using ValueFn = std::function<double(const std::string&)>;

std::vector<CheckLine> check_bars(const std::vector<Bar>& bars, const ValueFn& value);
// hashes: artifact name -> hash. Every hash and range of the golden file must be met; artifacts the
// golden file does not list are reported as new (a failure: the golden file must name them).
std::vector<CheckLine> check_golden(const std::string& golden_path, const std::map<std::string, std::string>& hashes,
                                    const ValueFn& value);
// A golden file for a run: its hashes, and for each bar the measured value with the bar's range.
std::string golden_toml(const std::string& experiment, const std::string& note, const std::map<std::string, std::string>& hashes,
                        const std::vector<Bar>& bars, const ValueFn& value);
// Prints the lines; returns how many failed.
int print_checks(const std::string& title, const std::vector<CheckLine>& lines);

}  // namespace wg
