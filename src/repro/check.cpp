#include "repro/check.h"

#include <cstdio>

#include "core/error.h"
#include "core/toml_read.h"
#include "text/jsonl.h"

namespace wg {

static std::string range_text(double lo, double hi) {
    if (lo <= -1e8) return strfmt("<= %.3f", hi);
    if (hi >= 1e8) return strfmt(">= %.3f", lo);
    return strfmt("in [%.3f, %.3f]", lo, hi);
}

std::vector<CheckLine> check_bars(const std::vector<Bar>& bars, const ValueFn& value) {
    std::vector<CheckLine> out;
    for (const auto& b : bars) {
        double v = value(b.value);
        bool ok = v >= b.min && v <= b.max;
        out.push_back({b.name.empty() ? b.value : b.name, strfmt("%.3f, wanted %s", v, range_text(b.min, b.max).c_str()), ok});
    }
    return out;
}

std::vector<CheckLine> check_golden(const std::string& path, const std::map<std::string, std::string>& hashes,
                                    const ValueFn& value) {
    toml::table root = parse_toml_file(path);
    TomlTable top{root, path, ""};
    top.only({"experiment", "note", "hashes", "ranges"});
    std::vector<CheckLine> out;
    std::map<std::string, bool> listed;
    if (const toml::table* h = top.table("hashes"))
        for (const auto& [k, v] : *h) {
            std::string name(k.str()), want = v.value_or(std::string());
            listed[name] = true;
            auto it = hashes.find(name);
            if (it == hashes.end()) out.push_back({"hash " + name, "not produced by this run", false});
            else out.push_back({"hash " + name, it->second == want ? it->second : it->second + ", golden " + want, it->second == want});
        }
    for (const auto& [name, h] : hashes)
        if (!listed.count(name)) out.push_back({"hash " + name, h + ": not in the golden file", false});
    if (const toml::table* r = top.table("ranges"))
        for (const auto& [k, v] : *r) {
            const toml::array* a = v.as_array();
            if (!a || a->size() != 2 || !(*a)[0].is_number() || !(*a)[1].is_number())
                fail("%s: [ranges] %s: expected [min, max]", path.c_str(), std::string(k.str()).c_str());
            double lo = (*a)[0].value_or(0.0), hi = (*a)[1].value_or(0.0), x = value(std::string(k.str()));
            out.push_back({"range " + std::string(k.str()), strfmt("%.3f, golden [%.3f, %.3f]", x, lo, hi), x >= lo && x <= hi});
        }
    return out;
}

std::string golden_toml(const std::string& experiment, const std::string& note, const std::map<std::string, std::string>& hashes,
                        const std::vector<Bar>& bars, const ValueFn& value) {
    std::string o = "# Golden values of the " + experiment + " reproduction (weirdgen reproduce " + experiment + ").\n"
                    "# Every artifact's xxh3 and the accepted range of every effect. Change only with a note\n"
                    "# (here and in the commit) saying why the new value is right.\n";
    o += "experiment = " + json_escape(experiment) + "\nnote = " + json_escape(note) + "\n\n[hashes]\n";
    for (const auto& [k, v] : hashes) o += json_escape(k) + " = " + json_escape(v) + "\n";
    // Results are bit-exact, so a moved value always comes with moved hashes; the ranges say how far an
    // effect may move when a change moves the hashes on purpose (+-0.10 around what was measured).
    o += "\n# Accepted range of each bar value: +-0.10 around the measured value.\n[ranges]\n";
    for (const auto& b : bars) {
        double v = value(b.value);
        o += json_escape(b.value) + strfmt(" = [%.3f, %.3f]  # measured %.4f\n", v - 0.1, v + 0.1, v);
    }
    return o;
}

int print_checks(const std::string& title, const std::vector<CheckLine>& lines) {
    int failed = 0;
    printf("%s\n", title.c_str());
    for (const auto& l : lines) {
        printf("  %s  %s: %s\n", l.ok ? "ok  " : "FAIL", l.what.c_str(), l.detail.c_str());
        failed += !l.ok;
    }
    return failed;
}

}  // namespace wg
