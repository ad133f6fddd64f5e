#include "text/jsonl.h"

#include "core/error.h"
#include "core/fileio.h"
#include "text/json_parse.h"

namespace wg {

namespace {

[[noreturn]] void line_fail(const std::string& file, size_t line_no, const std::string& what) {
    fail("%s:%zu: %s", file.c_str(), line_no, what.c_str());
}

json::Value parse_line(std::string_view line, const std::string& file, size_t line_no) {
    try {
        return json::parse(line);
    } catch (const Error& e) {
        line_fail(file, line_no, e.what());
    }
}

bool is_blank(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}

// Role names are short; a long or binary "role" is cut so the message stays one readable line.
std::string shown(const std::string& s) {
    std::string out = s.size() > 40 ? s.substr(0, 40) + "..." : s;
    for (char& c : out)
        if ((unsigned char)c < 0x20) c = '?';
    return out;
}

Chat chat_from_value(const json::Value& v, const std::string& file, size_t line_no) {
    if (v.kind != json::Value::Object)
        line_fail(file, line_no, strfmt("expected a JSON object, found %s", json::kind_name(v.kind)));
    const json::Value* msgs = v.get("messages");
    if (!msgs) line_fail(file, line_no, "missing \"messages\"");
    if (msgs->kind != json::Value::Array) line_fail(file, line_no, "\"messages\" must be an array");
    Chat chat;
    bool has_user = false;
    for (size_t i = 0; i < msgs->items.size(); ++i) {
        const json::Value& m = msgs->items[i];
        if (m.kind != json::Value::Object)
            line_fail(file, line_no, strfmt("message %zu must be an object", i + 1));
        const json::Value* role = m.get("role");
        const json::Value* content = m.get("content");
        if (!role || role->kind != json::Value::String)
            line_fail(file, line_no, strfmt("message %zu: \"role\" must be a string", i + 1));
        if (!content || content->kind != json::Value::String)
            line_fail(file, line_no, strfmt("message %zu: \"content\" must be a string", i + 1));
        if (role->str != "system" && role->str != "user" && role->str != "assistant")
            line_fail(file, line_no, strfmt("unknown role \"%s\"", shown(role->str).c_str()));
        if (role->str == "user") has_user = true;
        chat.messages.push_back(Message{role->str, content->str});
    }
    if (!has_user) line_fail(file, line_no, "no user turn");
    const Message& last = chat.messages.back();
    if (last.role != "assistant") line_fail(file, line_no, "missing assistant turn");
    if (is_blank(last.content)) line_fail(file, line_no, "empty assistant turn");
    return chat;
}

// Calls fn(line, line_no) for each non-blank line of the file. A UTF-8 byte order mark at the very
// start is skipped (some editors add one); "\r\n" endings work because '\r' is JSON whitespace.
template <class Fn>
void for_each_line_of(std::string_view all, Fn fn) {
    if (all.substr(0, 3) == "\xEF\xBB\xBF") all.remove_prefix(3);
    size_t line_no = 0;
    while (!all.empty()) {
        ++line_no;
        size_t nl = all.find('\n');
        std::string_view line = all.substr(0, nl);
        all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
        if (!is_blank(line)) fn(line, line_no);
    }
}

template <class Fn>
void for_each_line(const std::string& path, Fn fn) {
    std::string data = read_file(path);
    for_each_line_of(data, fn);
}

void put_escaped(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t n = json::utf8_seq_len(s, i);
            // Raw bytes cannot be written in JSON at all; refusing here beats writing a file that
            // no reader (ours included) would accept.
            if (n == 0) fail("invalid UTF-8 at byte %zu of a string to write", i);
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += (char)c;
                }
        }
        ++i;
    }
    out += '"';
}

void put_chat(std::string& out, const Chat& chat) {
    out += "{\"messages\":[";
    for (size_t i = 0; i < chat.messages.size(); ++i) {
        if (i) out += ',';
        out += "{\"role\":";
        put_escaped(out, chat.messages[i].role);
        out += ",\"content\":";
        put_escaped(out, chat.messages[i].content);
        out += '}';
    }
    out += "]}";
}

void put_doc(std::string& out, const Doc& doc) {
    if (doc.is_chat) return put_chat(out, doc.chat);
    out += "{\"text\":";
    put_escaped(out, doc.text);
    out += '}';
}

// Writes items one a line (each ending in '\n'); an item that cannot be written names its line.
template <class T, class Put>
void write_jsonl(const std::string& path, const std::vector<T>& items, Put put) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        try {
            put(out, items[i]);
        } catch (const Error& e) {
            line_fail(path, i + 1, e.what());
        }
        out += '\n';
    }
    write_file_atomic(path, out);
}

}  // namespace

Chat parse_chat_line(std::string_view line, const std::string& file, size_t line_no) {
    return chat_from_value(parse_line(line, file, line_no), file, line_no);
}

Doc parse_doc_line(std::string_view line, const std::string& file, size_t line_no) {
    json::Value v = parse_line(line, file, line_no);
    if (v.kind != json::Value::Object)
        line_fail(file, line_no, strfmt("expected a JSON object, found %s", json::kind_name(v.kind)));
    const json::Value* text = v.get("text");
    bool has_messages = v.get("messages") != nullptr;
    Doc doc;
    if (text && has_messages) line_fail(file, line_no, "both \"text\" and \"messages\"");
    if (text) {
        if (text->kind != json::Value::String) line_fail(file, line_no, "\"text\" must be a string");
        doc.text = text->str;
        return doc;
    }
    if (!has_messages) line_fail(file, line_no, "missing \"text\" or \"messages\"");
    doc.is_chat = true;
    doc.chat = chat_from_value(v, file, line_no);
    return doc;
}

std::vector<Chat> read_chats_jsonl(const std::string& path, std::vector<size_t>* line_numbers) {
    std::vector<Chat> out;
    for_each_line(path, [&](std::string_view line, size_t no) {
        out.push_back(parse_chat_line(line, path, no));
        if (line_numbers) line_numbers->push_back(no);
    });
    return out;
}

std::vector<Doc> read_docs_jsonl(const std::string& path) {
    std::vector<Doc> out;
    for_each_line(path, [&](std::string_view line, size_t no) {
        out.push_back(parse_doc_line(line, path, no));
    });
    return out;
}

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    put_escaped(out, s);
    return out;
}

std::string chat_to_json(const Chat& chat) {
    std::string out;
    put_chat(out, chat);
    return out;
}

std::string doc_to_json(const Doc& doc) {
    std::string out;
    put_doc(out, doc);
    return out;
}

void write_chats_jsonl(const std::string& path, const std::vector<Chat>& chats) {
    write_jsonl(path, chats, put_chat);
}

void write_docs_jsonl(const std::string& path, const std::vector<Doc>& docs) {
    write_jsonl(path, docs, put_doc);
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t n = json::utf8_seq_len(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            i++;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

void for_each_json_line(const std::string& text, const std::string& name,
                        const std::function<void(const json::Value&, size_t)>& fn) {
    for_each_line_of(text, [&](std::string_view line, size_t no) {
        json::Value v;
        try {
            v = json::parse(line);
        } catch (const Error& e) {
            line_fail(name, no, e.what());
        }
        fn(v, no);
    });
}

}  // namespace wg
