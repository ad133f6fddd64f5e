// A small flag parser shared by every subcommand: "--name value", "--name=value" and "--flag".
// Each command declares its flags with a help line; an unknown flag, a missing value or a
// malformed number throws UsageError (exit code 2), naming the flag.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wg {

struct Args {
    Args(std::string command, std::string summary);

    // Declare flags before parse(). `def` is the default shown in --help ("" = required/none).
    Args& opt(const std::string& name, const std::string& def, const std::string& help);
    Args& flag(const std::string& name, const std::string& help);
    // Returns false when --help was asked for (the help has been printed).
    bool parse(int argc, char** argv);
    std::string help() const;

    std::string str(const std::string& name) const;  // fails if required and missing
    bool has(const std::string& name) const;         // given on the command line or has a default
    int64_t integer(const std::string& name) const;
    double number(const std::string& name) const;
    bool on(const std::string& name) const;  // a --flag
    std::vector<std::string> positional;

  private:
    struct Spec {
        std::string def, help;
        bool is_flag;
    };
    std::string command_, summary_;
    std::vector<std::string> order_;
    std::map<std::string, Spec> specs_;
    std::map<std::string, std::string> values_;
    bool allow_positional_ = false;
    std::string positional_name_;

  public:
    // Accept positional arguments, shown in the usage line as `name` (e.g. "FILE...", "NAME").
    Args& positionals(bool allow, std::string name = "FILE...") {
        allow_positional_ = allow;
        positional_name_ = std::move(name);
        return *this;
    }
};

// Flags every engine command shares: --threads and --backend. Applies them to the kernels.
void add_engine_flags(Args& a);
void apply_engine_flags(const Args& a);

}  // namespace wg
