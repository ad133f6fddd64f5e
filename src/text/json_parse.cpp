#include "text/json_parse.h"

#include <algorithm>

#include "core/error.h"

namespace wg::json {

const Value* Value::get(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); i++)
        if (keys[i] == key) return &items[i];
    return nullptr;
}

const char* kind_name(Value::Kind k) {
    switch (k) {
        case Value::Null: return "null";
        case Value::Bool: return "a boolean";
        case Value::Number: return "a number";
        case Value::String: return "a string";
        case Value::Array: return "an array";
        case Value::Object: return "an object";
    }
    return "?";
}

size_t utf8_seq_len(std::string_view s, size_t i) {
    auto at = [&](size_t k) -> unsigned { return k < s.size() ? (unsigned char)s[k] : 0u; };
    auto cont = [&](size_t k) { return (at(k) & 0xC0u) == 0x80u && k < s.size(); };
    unsigned c = at(i);
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;  // a continuation byte, or C0/C1 (always overlong)
    if (c < 0xE0) return cont(i + 1) ? 2 : 0;
    if (c < 0xF0) {
        unsigned c1 = at(i + 1);
        if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
        if (c == 0xED && c1 >= 0xA0) return 0;  // UTF-16 surrogate encoded directly
        return cont(i + 1) && cont(i + 2) ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned c1 = at(i + 1);
        if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
        if (c == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
        return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
}

namespace {

struct Parser {
    std::string_view s;
    size_t pos = 0;

    [[noreturn]] void error(size_t at, const std::string& what) const {
        fail("invalid JSON at column %zu: %s", at + 1, what.c_str());
    }
    [[noreturn]] void expected(const char* what) const {
        if (pos >= s.size()) error(pos, strfmt("expected %s, found end of line", what));
        error(pos, strfmt("expected %s", what));
    }

    void skip_ws() {
        while (pos < s.size()) {
            char c = s[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos;
        }
    }

    bool literal(std::string_view word) {
        if (s.substr(pos, word.size()) != word) return false;
        pos += word.size();
        return true;
    }

    Value value(int depth) {
        skip_ws();
        if (pos >= s.size()) expected("a value");
        Value v;
        char c = s[pos];
        if (c == '{') {
            object(v, depth + 1);
        } else if (c == '[') {
            array(v, depth + 1);
        } else if (c == '"') {
            v.kind = Value::String;
            string(v.str);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = Value::Number;
            number(v.str);
        } else if (literal("true")) {
            v.kind = Value::Bool;
            v.boolean = true;
        } else if (literal("false")) {
            v.kind = Value::Bool;
        } else if (literal("null")) {
            v.kind = Value::Null;
        } else {
            expected("a value");
        }
        return v;
    }

    void check_depth(int depth) const {
        if (depth > kMaxDepth) error(pos, strfmt("nesting deeper than %d", kMaxDepth));
    }

    void object(Value& v, int depth) {
        check_depth(depth);
        v.kind = Value::Object;
        ++pos;  // '{'
        skip_ws();
        if (pos < s.size() && s[pos] == '}') {
            ++pos;
            return;
        }
        std::vector<size_t> key_at;  // where each key starts, for the duplicate-key message
        for (;;) {
            skip_ws();
            if (pos >= s.size() || s[pos] != '"') expected("a string key");
            key_at.push_back(pos);
            std::string key;
            string(key);
            skip_ws();
            if (pos >= s.size() || s[pos] != ':') expected("':'");
            ++pos;
            Value item = value(depth);
            v.keys.push_back(std::move(key));
            v.items.push_back(std::move(item));
            skip_ws();
            if (pos < s.size() && s[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < s.size() && s[pos] == '}') {
                ++pos;
                check_unique(v, key_at);
                return;
            }
            expected("',' or '}'");
        }
    }

    // Sorting the keys keeps a hostile object with 10^5 keys from costing 10^10 comparisons.
    void check_unique(const Value& v, const std::vector<size_t>& key_at) const {
        std::vector<size_t> order(v.keys.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            const std::string &ka = v.keys[a], &kb = v.keys[b];
            return ka != kb ? ka < kb : a < b;
        });
        for (size_t i = 1; i < order.size(); ++i)
            if (v.keys[order[i]] == v.keys[order[i - 1]])
                error(key_at[order[i]], "duplicate key " + quoted(v.keys[order[i]]));
    }

    void array(Value& v, int depth) {
        check_depth(depth);
        v.kind = Value::Array;
        ++pos;  // '['
        skip_ws();
        if (pos < s.size() && s[pos] == ']') {
            ++pos;
            return;
        }
        for (;;) {
            v.items.push_back(value(depth));
            skip_ws();
            if (pos < s.size() && s[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < s.size() && s[pos] == ']') {
                ++pos;
                return;
            }
            expected("',' or ']'");
        }
    }

    bool digit_at(size_t k) const { return k < s.size() && s[k] >= '0' && s[k] <= '9'; }

    void number(std::string& out) {
        size_t start = pos;
        if (s[pos] == '-') ++pos;
        if (!digit_at(pos)) expected("a digit");
        if (s[pos] == '0') {
            ++pos;
            if (digit_at(pos)) error(pos, "leading zero in a number");
        } else {
            while (digit_at(pos)) ++pos;
        }
        if (pos < s.size() && s[pos] == '.') {
            ++pos;
            if (!digit_at(pos)) expected("a digit after '.'");
            while (digit_at(pos)) ++pos;
        }
        if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
            ++pos;
            if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
            if (!digit_at(pos)) expected("a digit in the exponent");
            while (digit_at(pos)) ++pos;
        }
        out.assign(s.substr(start, pos - start));
    }

    static std::string quoted(const std::string& key) {
        return "\"" + (key.size() > 40 ? key.substr(0, 40) + "..." : key) + "\"";
    }

    int hex4(size_t at) const {
        if (at + 4 > s.size()) error(at, "truncated \\u escape");
        int v = 0;
        for (size_t k = at; k < at + 4; ++k) {
            char c = s[k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) error(k, "bad hex digit in \\u escape");
            v = v * 16 + d;
        }
        return v;
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += (char)cp;
        } else if (cp < 0x800) {
            out += (char)(0xC0 | (cp >> 6));
            out += (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += (char)(0xE0 | (cp >> 12));
            out += (char)(0x80 | ((cp >> 6) & 0x3F));
            out += (char)(0x80 | (cp & 0x3F));
        } else {
            out += (char)(0xF0 | (cp >> 18));
            out += (char)(0x80 | ((cp >> 12) & 0x3F));
            out += (char)(0x80 | ((cp >> 6) & 0x3F));
            out += (char)(0x80 | (cp & 0x3F));
        }
    }

    // pos is at the opening quote; leaves pos after the closing one.
    void string(std::string& out) {
        size_t open = pos++;
        for (;;) {
            // Copy a run of plain bytes at once: long contents (10 MB lines) stay linear and fast.
            size_t run = pos;
            while (run < s.size()) {
                unsigned char c = (unsigned char)s[run];
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++run;
            }
            out.append(s.data() + pos, run - pos);
            pos = run;
            if (pos >= s.size()) error(open, "unterminated string");
            unsigned char c = (unsigned char)s[pos];
            if (c == '"') {
                ++pos;
                return;
            }
            if (c < 0x20) error(pos, "raw control character in a string (write it as an escape)");
            if (c >= 0x80) {
                size_t n = utf8_seq_len(s, pos);
                if (n == 0) fail("invalid UTF-8 at column %zu", pos + 1);
                out.append(s.data() + pos, n);
                pos += n;
                continue;
            }
            escape(out);
        }
    }

    void escape(std::string& out) {
        size_t at = pos++;  // the backslash
        if (pos >= s.size()) error(at, "unterminated string");
        char e = s[pos++];
        switch (e) {
            case '"': out += '"'; return;
            case '\\': out += '\\'; return;
            case '/': out += '/'; return;
            case 'b': out += '\b'; return;
            case 'f': out += '\f'; return;
            case 'n': out += '\n'; return;
            case 'r': out += '\r'; return;
            case 't': out += '\t'; return;
            case 'u': break;
            default: error(at, strfmt("unknown escape \\%c", e >= 0x20 && e < 0x7f ? e : '?'));
        }
        uint32_t cp = (uint32_t)hex4(pos);
        pos += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) error(at, strfmt("lone low surrogate \\u%04X", cp));
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed at once by an escaped low one.
            if (pos + 1 < s.size() && s[pos] == '\\' && s[pos + 1] == 'u') {
                uint32_t lo = (uint32_t)hex4(pos + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    pos += 6;
                    put_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
                    return;
                }
            }
            error(at, strfmt("lone high surrogate \\u%04X", cp));
        }
        put_utf8(out, cp);
    }
};

}  // namespace

Value parse(std::string_view text) {
    Parser p{text};
    Value v = p.value(0);
    p.skip_ws();
    if (p.pos < text.size()) p.error(p.pos, "unexpected text after the value");
    return v;
}

}  // namespace wg::json
