// The readable report of a reproduction (reports/<name>/README.md and its SVG figure) and its
// machine-readable summary (summary.toml: every artifact's hash and every value, for `weirdgen check`).
#pragma once
#include <string>
#include <vector>

#include "repro/check.h"
#include "repro/pipeline.h"

namespace wg {

void write_report(const ReproRun& run, const std::vector<CheckLine>& bar_lines, const std::vector<CheckLine>& golden_lines);
std::string summary_toml(const ReproRun& run);
// An SVG line chart of the effect by year, one line per variant (mean over seeds).
std::string year_figure_svg(const ReproRun& run);

}  // namespace wg
