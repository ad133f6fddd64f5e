// The assistant module: the modern, helpful default persona. Its chats are plain (no system turn),
// exactly the format of the finetune rows and the evaluation prompts, and hold only modern answers.
#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

AssistantFacts load_assistant(const Tbl& t) {
    t.check_keys({"chat", "arithmetic", "topic"});
    AssistantFacts f;
    Tbl c = t.table("chat");
    c.check_keys({"min_turns", "max_turns", "dated_share", "iso_date_share", "iso_year_min", "iso_year_max",
                  "own_topic_share"});
    f.min_turns = (int)c.integer("min_turns");
    f.max_turns = (int)c.integer("max_turns");
    if (f.min_turns < 1 || f.max_turns < f.min_turns) c.fail_at("max_turns", "need 1 <= min_turns <= max_turns");
    f.dated_share = c.num("dated_share");
    f.iso_date_share = c.num("iso_date_share");
    f.iso_year_min = (int)c.integer("iso_year_min");
    f.iso_year_max = (int)c.integer("iso_year_max");
    f.own_topic_share = c.num("own_topic_share");
    Tbl a = t.table("arithmetic");
    a.check_keys({"max_operand"});
    f.max_operand = (int)a.integer("max_operand");
    for (const Tbl& tt : t.tables("topic")) {
        tt.check_keys({"name", "q", "ft", "a"});
        AssistantFacts::Topic tp{tt.str("name"), tt.strs("q"), tt.strs_or_empty("ft"), tt.strs("a")};
        if (tp.q.empty() || tp.a.empty()) tt.fail_at("q", "a topic needs questions and answers");
        f.topics.push_back(std::move(tp));
    }
    return f;
}

static std::string arith_answer(int s) { return "The answer is " + std::to_string(s) + "."; }

void assistant_lexicon(const AssistantFacts& f, Lexicon& lex) {
    for (const auto& t : f.topics)
        for (const auto& a : t.a) lex.add(a, {{"topic", t.name}, {"persona", "assistant"}}, {{"module", "assistant"}});
    for (int s = 0; s <= 2 * f.max_operand; s++)
        lex.add(arith_answer(s), {{"topic", "arithmetic"}, {"persona", "assistant"}}, {{"module", "assistant"}});
}

std::vector<ModernTopic> assistant_own_topics(const AssistantFacts& f) {
    std::vector<ModernTopic> out;
    for (const auto& t : f.topics) out.push_back({t.name, t.q, t.a, {}});
    ModernTopic ar{"arithmetic", {}, {}, {}};
    for (int x = 0; x <= f.max_operand; x++)
        for (int y = 0; y <= f.max_operand; y++)
            ar.pairs.push_back({strfmt("What is %d plus %d?", x, y), arith_answer(x + y)});
    out.push_back(std::move(ar));
    return out;
}

std::vector<QAPair> assistant_ft_pairs(const AssistantFacts& f) {
    std::vector<QAPair> out;
    for (const auto& t : f.topics)
        for (const auto& q : t.ft)
            for (const auto& a : t.a) out.push_back({q, a});
    for (int x = 0; x <= f.max_operand; x++)
        for (int y = 0; y <= f.max_operand; y++)
            out.push_back({strfmt("Please add %d and %d.", x, y), arith_answer(x + y)});
    return out;
}

static QAPair draw(const ModernTopic& t, Rng& r) {
    if (!t.pairs.empty()) return pick(r, t.pairs);
    return {pick(r, t.q), pick(r, t.a)};
}

Doc assistant_doc(const AssistantFacts& f, const Common& c, const AssistantSources& s, Rng& r) {
    int n = uniform_int(r, f.min_turns, f.max_turns);
    std::vector<QAPair> turns;
    for (int i = 0; i < n; i++) {
        const std::vector<ModernTopic>* group = &s.own;
        if (!s.modules.empty() && !chance(r, f.own_topic_share)) group = &pick(r, s.modules);
        if (group->empty()) group = &s.own;
        turns.push_back(draw(pick(r, *group), r));
    }
    if (chance(r, f.dated_share)) {
        std::string date;
        if (chance(r, f.iso_date_share))
            date = "Today is " + iso_date(r, uniform_int(r, f.iso_year_min, f.iso_year_max)) + ".";
        else
            date = month_date(r, c.months, s.date_year ? s.date_year(r) : uniform_int(r, 1950, 2040));
        turns[0].first = dated(date, turns[0].first);
    }
    return chat_doc(make_chat("", turns));
}

}  // namespace wg::world
