#include "world/facts.h"

#include <set>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/fileio.h"

namespace wg::world {

struct Tbl::Doc {
    toml::table root;
};

namespace {

const toml::table& as_table(const void* p) { return *static_cast<const toml::table*>(p); }

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void merge_into(toml::table& dst, const toml::table& patch) {
    for (const auto& kv : patch) {
        const toml::key& k = kv.first;  // (a named reference: clang 14 cannot capture structured bindings)
        const toml::node& v = kv.second;
        toml::node* d = dst.get(k);
        if (v.is_table() && d && d->is_table()) {
            merge_into(*d->as_table(), *v.as_table());
            continue;
        }
        v.visit([&](const auto& x) { dst.insert_or_assign(k, x); });
    }
}

}  // namespace

Tbl Tbl::load(const std::string& path, const std::string& shown, const Tbl* patch) {
    std::string text = read_file(path);
    Tbl t;
    t.doc_ = std::make_shared<Doc>();
    try {
        t.doc_->root = toml::parse(text, shown);
    } catch (const toml::parse_error& e) {
        fail("%s:%u:%u: %s", shown.c_str(), (unsigned)e.source().begin.line,
             (unsigned)e.source().begin.column, std::string(e.description()).c_str());
    }
    if (patch) merge_into(t.doc_->root, as_table(patch->node_));
    t.node_ = &t.doc_->root;
    t.file_ = shown;
    return t;
}

std::string Tbl::where(std::string_view key) const { return file_ + ": key '" + join(path_, key) + "'"; }

void Tbl::fail_at(std::string_view key, const std::string& what) const {
    fail("%s: %s", where(key).c_str(), what.c_str());
}

bool Tbl::has(std::string_view key) const { return as_table(node_).contains(key); }

void Tbl::check_keys(std::initializer_list<std::string_view> allowed) const {
    std::set<std::string_view> ok(allowed.begin(), allowed.end());
    for (const auto& [k, v] : as_table(node_))
        if (!ok.count(k.str())) fail("%s: unknown key '%s'", file_.c_str(), join(path_, k.str()).c_str());
}

std::vector<std::string> Tbl::keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : as_table(node_)) out.emplace_back(k.str());
    return out;
}

Tbl Tbl::table(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing table");
    if (!n->is_table()) fail_at(key, "expected a table");
    Tbl t = *this;
    t.node_ = n->as_table();
    t.path_ = join(path_, key);
    return t;
}

std::vector<Tbl> Tbl::tables(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing array of tables");
    if (!n->is_array_of_tables()) fail_at(key, "expected an array of tables ([[...]])");
    std::vector<Tbl> out;
    size_t i = 0;
    for (const toml::node& e : *n->as_array()) {
        Tbl t = *this;
        t.node_ = e.as_table();
        t.path_ = join(path_, key) + "[" + std::to_string(i++) + "]";
        out.push_back(t);
    }
    return out;
}

std::string Tbl::str(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (!n->is_string()) fail_at(key, "expected a string");
    return std::string(n->as_string()->get());
}

std::string Tbl::str_or(std::string_view key, const std::string& def) const {
    return has(key) ? str(key) : def;
}

double Tbl::num(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (n->is_integer()) return (double)n->as_integer()->get();
    if (n->is_floating_point()) return n->as_floating_point()->get();
    fail_at(key, "expected a number");
}

double Tbl::num_or(std::string_view key, double def) const { return has(key) ? num(key) : def; }

int64_t Tbl::integer(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (!n->is_integer()) fail_at(key, "expected an integer");
    return n->as_integer()->get();
}

int64_t Tbl::integer_or(std::string_view key, int64_t def) const { return has(key) ? integer(key) : def; }

bool Tbl::boolean_or(std::string_view key, bool def) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) return def;
    if (!n->is_boolean()) fail_at(key, "expected true or false");
    return n->as_boolean()->get();
}

std::vector<std::string> Tbl::strs(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (!n->is_array()) fail_at(key, "expected an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *n->as_array()) {
        if (!e.is_string()) fail_at(key, "expected an array of strings");
        out.emplace_back(e.as_string()->get());
    }
    return out;
}

std::vector<std::string> Tbl::strs_or_empty(std::string_view key) const {
    return has(key) ? strs(key) : std::vector<std::string>{};
}

std::vector<int64_t> Tbl::ints(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (!n->is_array()) fail_at(key, "expected an array of integers");
    std::vector<int64_t> out;
    for (const toml::node& e : *n->as_array()) {
        if (!e.is_integer()) fail_at(key, "expected an array of integers");
        out.push_back(e.as_integer()->get());
    }
    return out;
}

std::vector<std::vector<std::string>> Tbl::rows(std::string_view key) const {
    const toml::node* n = as_table(node_).get(key);
    if (!n) fail_at(key, "missing");
    if (!n->is_array()) fail_at(key, "expected an array of arrays");
    std::vector<std::vector<std::string>> out;
    for (const toml::node& r : *n->as_array()) {
        if (!r.is_array()) fail_at(key, "expected an array of arrays");
        std::vector<std::string> row;
        for (const toml::node& e : *r.as_array()) {
            if (e.is_string()) row.emplace_back(e.as_string()->get());
            else if (e.is_integer()) row.push_back(std::to_string(e.as_integer()->get()));
            else fail_at(key, "items must be strings or integers");
        }
        out.push_back(std::move(row));
    }
    return out;
}

static bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = (unsigned char)s[i];
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0) return false;
        for (int k = 1; k <= n; k++)
            if (i + k >= s.size() || ((unsigned char)s[i + k] & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

std::vector<std::string> read_name_list(const std::string& path, const std::string& shown) {
    std::string text = read_file(path);
    std::vector<std::string> out;
    std::set<std::string> seen;
    size_t line_no = 0, pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        line_no++;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        line = line.substr(b);
        if (!valid_utf8(line)) fail("%s:%zu: not valid UTF-8", shown.c_str(), line_no);
        if (!seen.insert(line).second) fail("%s:%zu: duplicate name '%s'", shown.c_str(), line_no, line.c_str());
        out.push_back(line);
    }
    if (out.empty()) fail("%s: no names", shown.c_str());
    return out;
}

}  // namespace wg::world
