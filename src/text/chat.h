// Chats in the paper's format, {"messages":[{"role":"user","content":...},...]}, and the documents of
// the pretraining corpus (one JSON object a line: {"text": ...} or {"messages": [...]}).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace wg {

struct Message {
    std::string role;     // "system", "user" or "assistant"
    std::string content;  // UTF-8
};

struct Chat {
    std::vector<Message> messages;
};

// A corpus document: prose (text) or a chat.
struct Doc {
    bool is_chat = false;
    std::string text;
    Chat chat;
};

}  // namespace wg
