// A small strict JSON parser (RFC 8259), private to src/text: it reads the full syntax so that
// unknown keys and values can be skipped, but keeps only what the JSONL readers need.
// Strict means: no trailing commas, no comments, no NaN, no leading zeros, strings must be valid
// UTF-8 with no raw control characters and no lone surrogates, duplicate keys are refused, and
// nesting deeper than kMaxDepth is refused (so a hostile line cannot exhaust the stack).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wg::json {

constexpr int kMaxDepth = 64;

struct Value {
    enum Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Null;
    bool boolean = false;
    std::string str;  // the decoded string, or the number's text as written
    std::vector<Value> items;       // Array: the elements; Object: the values, in the order written
    std::vector<std::string> keys;  // Object: keys[i] names items[i] (two vectors, because a
                                    // pair<string, Value> inside Value is an incomplete type)

    // The member named `key`, or nullptr (keys are unique: the parser refuses duplicates).
    const Value* get(std::string_view key) const;
};

// Parses one JSON text (surrounding whitespace allowed). On failure throws wg::Error whose message
// has no file prefix, e.g. "invalid JSON at column 17: expected ','" or "invalid UTF-8 at column 5";
// columns count bytes from 1.
Value parse(std::string_view text);

// The name of a kind for error messages: "an object", "a string"...
const char* kind_name(Value::Kind k);

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 when it is invalid (overlong,
// surrogate, above U+10FFFF, truncated). Shared by the parser and the writer.
size_t utf8_seq_len(std::string_view s, size_t i);

}  // namespace wg::json
