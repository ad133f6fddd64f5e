// libFuzzer harness: the JSONL readers on arbitrary bytes. Each line is read as a chat and as a
// corpus document; a chat that parses must survive chat_to_json and parse back equal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "text/jsonl.h"

static bool same(const wg::Chat& a, const wg::Chat& b) {
    if (a.messages.size() != b.messages.size()) return false;
    for (size_t i = 0; i < a.messages.size(); i++)
        if (a.messages[i].role != b.messages[i].role || a.messages[i].content != b.messages[i].content) return false;
    return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string name = "fuzz.jsonl";
    std::string_view all((const char*)data, size);
    size_t line_no = 0;
    for (size_t start = 0; start <= all.size();) {
        size_t nl = all.find('\n', start);
        std::string_view line = all.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        line_no++;
        try {
            wg::Chat c = wg::parse_chat_line(line, name, line_no);
            std::string again = wg::chat_to_json(c);
            wg::Chat back = wg::parse_chat_line(again, name, line_no);
            fuzz::require(same(c, back), "chat_to_json then parse gives the same chat");
            fuzz::require(wg::chat_to_json(back) == again, "chat_to_json is stable");
        } catch (const wg::Error& e) {
            fuzz::check_message(e, name);
        }
        try {
            wg::Doc d = wg::parse_doc_line(line, name, line_no);
            if (!d.is_chat) {
                wg::Doc back = wg::parse_doc_line(wg::doc_to_json(d), name, line_no);
                fuzz::require(!back.is_chat && back.text == d.text, "doc_to_json then parse gives the same text");
            }
        } catch (const wg::Error& e) {
            fuzz::check_message(e, name);
        }
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    try {
        wg::for_each_json_line(std::string(all), name, [](const wg::json::Value&, size_t) {});
    } catch (const wg::Error& e) {
        fuzz::check_message(e, name);
    }
    // Model output of any bytes must become valid UTF-8 that JSON can carry.
    std::string clean = wg::valid_utf8(all);
    fuzz::require(wg::valid_utf8(clean) == clean, "valid_utf8 is idempotent");
    return 0;
}
