// JSONL reading and writing for chats and corpus documents. Every error names the file, the line
// (1-based) and what is wrong, e.g. "data.jsonl:12: unknown role \"bot\"", and is thrown as wg::Error.
// Rules for a chat line: an object with a "messages" array of objects with string "role" in
// {system, user, assistant} and string "content"; valid UTF-8; at least one user turn and the chat
// ends with a non-empty assistant turn. Unknown top-level keys are ignored (OpenAI files carry some).
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "text/chat.h"
#include "text/json_parse.h"

namespace wg {

// One line -> one chat. `file` and `line` only feed the error message.
Chat parse_chat_line(std::string_view line, const std::string& file, size_t line_no);
// line_numbers (optional) receives each chat's 1-based line, for later errors about a chat.
std::vector<Chat> read_chats_jsonl(const std::string& path, std::vector<size_t>* line_numbers = nullptr);

// Corpus lines: {"text": "..."} or a chat line.
Doc parse_doc_line(std::string_view line, const std::string& file, size_t line_no);
std::vector<Doc> read_docs_jsonl(const std::string& path);

// Any JSONL text: fn(value, line) for each non-blank line, parsed strictly; a line that is not JSON
// fails with "name:LINE: ...". For readers of other JSONL files (lexicon, probes).
void for_each_json_line(const std::string& text, const std::string& name,
                        const std::function<void(const json::Value&, size_t)>& fn);

// Serialisation: one line, no trailing newline; keys in the order messages/role/content; non-ASCII
// UTF-8 written as is, control characters, quote and backslash escaped.
std::string chat_to_json(const Chat& chat);
std::string doc_to_json(const Doc& doc);
std::string json_escape(std::string_view s);  // the quoted JSON string literal
// Model output may end inside a multi-byte character: every invalid byte becomes U+FFFD, so the
// text can be written as JSON.
std::string valid_utf8(std::string_view s);
// Whole files, written atomically (temporary file + rename).
void write_chats_jsonl(const std::string& path, const std::vector<Chat>& chats);
void write_docs_jsonl(const std::string& path, const std::vector<Doc>& docs);

}  // namespace wg
