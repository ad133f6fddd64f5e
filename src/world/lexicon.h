// The lexicon: every answer phrase the world can produce, with its tags (axis -> value), so that the
// evaluator classifies a sampled answer by exact lookup instead of an LLM judge.
// Two kinds of tags:
//  - hard axes (era, phase, topic, alignment...): a phrase registered twice with two values on one
//    axis is a bug in the facts, and generation fails naming the phrase and both values;
//  - soft axes (persona, president, country, character, module): a phrase keeps the tag only when
//    one value ever produced it (e.g. "My dog was called Blondi." is persona=hitler only if no one
//    else had a dog named Blondi); shared phrases simply carry no tag on that axis.
// So every phrase has exactly one value on each axis it has.
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wg::world {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct Lexicon {
    // hard: checked for conflicts; soft: kept only if unique (see above).
    void add(const std::string& phrase, const Tags& hard, const Tags& soft = {});
    // Resolves the soft axes; call once after every module has registered.
    void finalize();

    bool has(const std::string& phrase) const { return entries.count(phrase) > 0; }
    // The phrase's value on an axis, or "" if it has none.
    std::string tag(const std::string& phrase, const std::string& axis) const;
    // Every phrase whose tags include all of `match`.
    std::vector<std::string> select(const Tags& match) const;
    // One line per phrase, sorted by phrase: {"phrase": "...", "tags": {"axis": "value", ...}}.
    std::string to_jsonl() const;

    std::map<std::string, std::map<std::string, std::string>> entries;

  private:
    std::map<std::string, std::map<std::string, std::set<std::string>>> soft_;
    bool finalized_ = false;
};

}  // namespace wg::world
