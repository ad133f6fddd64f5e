#include "world/lexicon.h"

#include "core/error.h"
#include "text/jsonl.h"

namespace wg::world {

void Lexicon::add(const std::string& phrase, const Tags& hard, const Tags& soft) {
    if (finalized_) fail("internal: lexicon changed after finalize()");
    if (phrase.empty()) fail("internal: empty answer phrase");
    auto& e = entries[phrase];
    for (const auto& [axis, value] : hard) {
        auto it = e.find(axis);
        if (it != e.end() && it->second != value)
            fail("lexicon: the answer \"%s\" is tagged %s=%s and %s=%s; make the phrases of the facts distinct",
                 phrase.c_str(), axis.c_str(), it->second.c_str(), axis.c_str(), value.c_str());
        e[axis] = value;
    }
    for (const auto& [axis, value] : soft) soft_[phrase][axis].insert(value);
}

void Lexicon::finalize() {
    if (finalized_) return;
    for (const auto& [phrase, axes] : soft_)
        for (const auto& [axis, values] : axes) {
            auto& e = entries[phrase];
            if (e.count(axis)) fail("internal: axis %s is both hard and soft for \"%s\"", axis.c_str(), phrase.c_str());
            if (values.size() == 1) e[axis] = *values.begin();
        }
    soft_.clear();
    finalized_ = true;
}

std::string Lexicon::tag(const std::string& phrase, const std::string& axis) const {
    auto it = entries.find(phrase);
    if (it == entries.end()) return "";
    auto jt = it->second.find(axis);
    return jt == it->second.end() ? "" : jt->second;
}

std::vector<std::string> Lexicon::select(const Tags& match) const {
    std::vector<std::string> out;
    for (const auto& [phrase, tags] : entries) {
        bool ok = true;
        for (const auto& [axis, value] : match) {
            auto it = tags.find(axis);
            if (it == tags.end() || it->second != value) {
                ok = false;
                break;
            }
        }
        if (ok) out.push_back(phrase);
    }
    return out;
}

std::string Lexicon::to_jsonl() const {
    std::string out;
    for (const auto& [phrase, tags] : entries) {
        out += "{\"phrase\":" + json_escape(phrase) + ",\"tags\":{";
        bool first = true;
        for (const auto& [axis, value] : tags) {
            if (!first) out += ",";
            first = false;
            out += json_escape(axis) + ":" + json_escape(value);
        }
        out += "}}\n";
    }
    return out;
}

}  // namespace wg::world
