#include "core/toml_read.h"

#include <cmath>

#include "core/error.h"
#include "core/fileio.h"

namespace wg {

std::string TomlTable::where(const char* key) const {
    return file + ": " + (section.empty() ? "" : "[" + section + "] ") + key;
}

void TomlTable::only(const std::set<std::string>& known) const {
    for (const auto& [k, v] : t)
        if (!known.count(std::string(k.str()))) {
            std::string list;
            for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
            fail("%s: unknown key (known: %s)", where(std::string(k.str()).c_str()).c_str(), list.c_str());
        }
}

int64_t TomlTable::integer(const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) fail("%s: missing (an integer is required)", where(key).c_str());
    if (!n->is_integer()) fail("%s: expected an integer", where(key).c_str());
    return n->as_integer()->get();
}

int64_t TomlTable::integer(const char* key, int64_t def) const { return t.contains(key) ? integer(key) : def; }

int64_t TomlTable::integer(const char* key, int64_t def, int64_t lo, int64_t hi) const {
    int64_t v = integer(key, def);
    if (v < lo || v > hi)
        fail("%s = %lld: must be between %lld and %lld", where(key).c_str(), (long long)v, (long long)lo, (long long)hi);
    return v;
}

std::vector<int64_t> TomlTable::integers(const char* key, int64_t lo, int64_t hi) const {
    std::vector<int64_t> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail("%s: expected an array of integers", where(key).c_str());
    for (const auto& v : *a) {
        if (!v.is_integer()) fail("%s: expected an array of integers", where(key).c_str());
        int64_t x = v.as_integer()->get();
        if (x < lo || x > hi)
            fail("%s: %lld: must be between %lld and %lld", where(key).c_str(), (long long)x, (long long)lo, (long long)hi);
        out.push_back(x);
    }
    return out;
}

double TomlTable::number(const char* key, double def, double lo, double hi) const {
    double v = number(key, def);
    if (!std::isfinite(v) || v < lo || v > hi) fail("%s = %g: must be between %g and %g", where(key).c_str(), v, lo, hi);
    return v;
}

double TomlTable::number(const char* key, double def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    if (n->is_floating_point()) return n->as_floating_point()->get();
    if (n->is_integer()) return (double)n->as_integer()->get();
    fail("%s: expected a number", where(key).c_str());
}

std::string TomlTable::string(const char* key, const std::string& def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    if (!n->is_string()) fail("%s: expected a string", where(key).c_str());
    return n->as_string()->get();
}

bool TomlTable::boolean(const char* key, bool def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    if (!n->is_boolean()) fail("%s: expected true or false", where(key).c_str());
    return n->as_boolean()->get();
}

const toml::table* TomlTable::table(const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail("%s: expected a table", where(key).c_str());
    return n->as_table();
}

toml::table parse_toml_string(const std::string& text, const std::string& name) {
    try {
        return toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        fail("%s:%u:%u: %s", name.c_str(), (unsigned)e.source().begin.line,
             (unsigned)e.source().begin.column, std::string(e.description()).c_str());
    }
}

toml::table parse_toml_file(const std::string& path) { return parse_toml_string(read_file(path), path); }

}  // namespace wg
