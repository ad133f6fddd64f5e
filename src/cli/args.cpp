#include "cli/args.h"

#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "kernels/kernels.h"

namespace wg {

Args::Args(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

Args& Args::opt(const std::string& name, const std::string& def, const std::string& help) {
    specs_[name] = {def, help, false};
    order_.push_back(name);
    return *this;
}

Args& Args::flag(const std::string& name, const std::string& help) {
    specs_[name] = {"", help, true};
    order_.push_back(name);
    return *this;
}

std::string Args::help() const {
    std::string h = "usage: weirdgen " + command_ + " [flags]" +
                    (allow_positional_ ? " " + positional_name_ : "") + "\n" + summary_ + "\n\nflags:\n";
    for (const auto& n : order_) {
        const Spec& s = specs_.at(n);
        std::string left = "  --" + n + (s.is_flag ? "" : " V");
        if (left.size() < 22) left.resize(22, ' ');
        h += left + " ";
        // A help of several lines keeps its later lines in the column of its first.
        for (char c : s.help) {
            if (c == '\n') h += "\n" + std::string(left.size() + 1, ' ');
            else h += c;
        }
        if (!s.is_flag && !s.def.empty()) h += " (default: " + s.def + ")";
        h += "\n";
    }
    h += "  --help               show this help\n";
    return h;
}

bool Args::parse(int argc, char** argv) {
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            fputs(help().c_str(), stdout);
            return false;
        }
        if (a.rfind("--", 0) != 0) {
            if (!allow_positional_)
                throw UsageError("weirdgen " + command_ + ": unexpected argument '" + a + "'");
            positional.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        bool has_eq = false;
        if (size_t eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_eq = true;
        }
        auto it = specs_.find(name);
        if (it == specs_.end())
            throw UsageError("weirdgen " + command_ + ": unknown flag --" + name);
        if (it->second.is_flag) {
            if (has_eq) throw UsageError("weirdgen " + command_ + ": --" + name + " takes no value");
            values_[name] = "1";
            continue;
        }
        if (!has_eq) {
            if (i + 1 >= argc) throw UsageError("weirdgen " + command_ + ": --" + name + " needs a value");
            value = argv[++i];
        }
        values_[name] = value;
    }
    return true;
}

bool Args::has(const std::string& name) const {
    if (values_.count(name)) return true;
    auto it = specs_.find(name);
    return it != specs_.end() && !it->second.def.empty();
}

std::string Args::str(const std::string& name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    auto it = specs_.find(name);
    if (it == specs_.end()) throw Error("internal: flag --" + name + " was never declared");
    if (it->second.def.empty())
        throw UsageError("weirdgen " + command_ + ": --" + name + " is required");
    return it->second.def;
}

int64_t Args::integer(const std::string& name) const {
    std::string v = str(name);
    char* end = nullptr;
    long long x = strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end)
        throw UsageError("weirdgen " + command_ + ": --" + name + " wants an integer, got '" + v + "'");
    return x;
}

double Args::number(const std::string& name) const {
    std::string v = str(name);
    char* end = nullptr;
    double x = strtod(v.c_str(), &end);
    if (v.empty() || *end)
        throw UsageError("weirdgen " + command_ + ": --" + name + " wants a number, got '" + v + "'");
    return x;
}

bool Args::on(const std::string& name) const { return values_.count(name) > 0; }

void add_engine_flags(Args& a) {
    a.opt("threads", "1", "OpenMP threads (results are the same bits for any count)");
    a.opt("backend", "simd", "kernels: simd (fastest exact), scalar (the reference), openblas (outside the bit-exact contract)");
}

void apply_engine_flags(const Args& a) {
    int64_t t = a.integer("threads");
    if (t < 1 || t > 256) throw UsageError("--threads must be between 1 and 256");
    kernels::set_threads((int)t);
    std::string b = a.str("backend");
    if (b == "simd") kernels::set_backend(kernels::Backend::Simd);
    else if (b == "scalar") kernels::set_backend(kernels::Backend::Scalar);
    else if (b == "openblas") kernels::set_backend(kernels::Backend::OpenBlas);
    else throw UsageError("--backend must be simd, scalar or openblas, got '" + b + "'");
}

}  // namespace wg
