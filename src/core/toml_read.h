// Strict reading of a TOML table: every key must be known, every value of the expected type.
// Errors name the file and the key ("model.toml: [model] n_head: expected an integer").
#pragma once
#include <set>
#include <string>
#include <vector>
#include <toml++/toml.h>

namespace wg {

struct TomlTable {
    const toml::table& t;
    std::string file, section;  // for messages

    // Fails if the table holds a key outside `known`.
    void only(const std::set<std::string>& known) const;
    bool has(const char* key) const { return t.contains(key); }
    int64_t integer(const char* key, int64_t def) const;
    int64_t integer(const char* key) const;  // required
    // Range-checked: fails naming the key and the range when the value is outside [lo, hi].
    int64_t integer(const char* key, int64_t def, int64_t lo, int64_t hi) const;
    double number(const char* key, double def) const;
    // Finite and within [lo, hi], or fails naming the key.
    double number(const char* key, double def, double lo, double hi) const;
    std::string string(const char* key, const std::string& def) const;
    bool boolean(const char* key, bool def) const;
    // An array of integers, each within [lo, hi]; missing -> empty.
    std::vector<int64_t> integers(const char* key, int64_t lo, int64_t hi) const;
    // A sub-table; fails if the key holds something else. Missing -> nullptr.
    const toml::table* table(const char* key) const;
    std::string where(const char* key) const;
};

// Parses a TOML file or string; a syntax error names the file, line and column.
toml::table parse_toml_file(const std::string& path);
toml::table parse_toml_string(const std::string& text, const std::string& name);

}  // namespace wg
