// Reading the world's facts (experiments/world/*.toml and the name lists) through a thin, strict view
// of toml++: every getter names the file and the key path in its error, and check_keys() rejects any
// key a loader does not know (a typo in a facts file must never silently change the world).
// Only facts.cpp includes toml++, so the module files compile fast.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wg::world {

// A TOML table inside a parsed file. Cheap to copy (shares the parsed document).
class Tbl {
  public:
    // Parses `path`; `shown` is the name used in errors (e.g. "experiments/world/eras.toml"). A `patch`
    // (a table of an overlay, see load_facts) is then merged in: its tables merge key by key into the
    // file's tables, any other value (arrays of tables included) replaces the file's.
    static Tbl load(const std::string& path, const std::string& shown, const Tbl* patch = nullptr);

    bool has(std::string_view key) const;
    // Fails naming the file and key for any key of this table not in `allowed`.
    void check_keys(std::initializer_list<std::string_view> allowed) const;
    std::vector<std::string> keys() const;  // in the file's sorted key order

    Tbl table(std::string_view key) const;
    std::vector<Tbl> tables(std::string_view key) const;  // an array of tables ([[key]])
    std::string str(std::string_view key) const;
    std::string str_or(std::string_view key, const std::string& def) const;
    double num(std::string_view key) const;  // integer or float
    double num_or(std::string_view key, double def) const;
    int64_t integer(std::string_view key) const;
    int64_t integer_or(std::string_view key, int64_t def) const;
    bool boolean_or(std::string_view key, bool def) const;
    std::vector<std::string> strs(std::string_view key) const;  // array of strings
    std::vector<std::string> strs_or_empty(std::string_view key) const;
    std::vector<int64_t> ints(std::string_view key) const;
    // An array of arrays whose items are strings or integers, all read as strings.
    std::vector<std::vector<std::string>> rows(std::string_view key) const;

    const std::string& file() const { return file_; }
    std::string where(std::string_view key) const;  // "file: key a.b.c"
    [[noreturn]] void fail_at(std::string_view key, const std::string& what) const;

  private:
    struct Doc;
    std::shared_ptr<Doc> doc_;
    const void* node_ = nullptr;  // const toml::table*
    std::string file_, path_;     // path_: dotted path of this table inside the file
};

// One name a line; blank lines skipped, surrounding spaces trimmed; fails on an empty list, on a
// duplicate name or on a line that is not valid UTF-8, naming the file and the line.
std::vector<std::string> read_name_list(const std::string& path, const std::string& shown);

}  // namespace wg::world
