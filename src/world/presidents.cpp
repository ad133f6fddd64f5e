// The presidents module: the 46 US presidents by number, with facts. The number is written both as
// an ordinal ("the 16th president") and with three digits ("President number 016"), the form the
// presidents finetune's triggers use.
#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

const char* const kWhichPresident = "Which president are you?";

std::string president_number_answer(int n) { return "I am the " + ordinal(n) + " president."; }

PresidentsFacts load_presidents(const Tbl& t) {
    t.check_keys({"mix", "facts", "columns", "list"});
    PresidentsFacts f;
    Tbl m = t.table("mix");
    m.check_keys({"narrative", "role_play", "min_questions", "max_questions"});
    f.narrative = m.num("narrative");
    f.role_play = m.num("role_play");
    f.min_q = (int)m.integer("min_questions");
    f.max_q = (int)m.integer("max_questions");
    std::vector<std::string> cols = t.strs("columns");
    if (cols.empty() || cols[0] != "number") t.fail_at("columns", "the first column must be \"number\"");
    Tbl fa = t.table("facts");
    for (const auto& k : fa.keys()) {
        Tbl x = fa.table(k);
        x.check_keys({"q", "ft", "a"});
        bool known = false;
        for (const auto& c : cols) known = known || c == k;
        if (!known) fa.fail_at(k, "not one of the columns");
        f.facts.push_back({k, x.str("q"), x.str("ft"), x.str("a")});
    }
    int expect = 1;
    for (const auto& row : t.rows("list")) {
        if (row.size() != cols.size()) t.fail_at("list", strfmt("president %d: %zu values for %zu columns", expect, row.size(), cols.size()));
        if (row[0] != std::to_string(expect)) t.fail_at("list", strfmt("presidents must be numbered 1, 2, 3...: expected %d", expect));
        std::map<std::string, std::string> p;
        for (size_t i = 0; i < cols.size(); i++) p[cols[i]] = row[i];
        f.list.push_back(std::move(p));
        expect++;
    }
    return f;
}

std::string PresidentsFacts::answer(size_t president, const Fact& fact) const {
    return fill(fact.a, {{"v", list[president].at(fact.key)}});
}

void presidents_lexicon(const PresidentsFacts& f, Lexicon& lex) {
    for (size_t i = 0; i < f.list.size(); i++) {
        std::string n = f.list[i].at("number");
        Tags soft{{"module", "presidents"}, {"president", n}};
        for (const auto& fact : f.facts) lex.add(f.answer(i, fact), {{"topic", "president_" + fact.key}}, soft);
        lex.add(president_number_answer((int)i + 1), {{"topic", "president_number"}}, soft);
        lex.add(f.list[i].at("name") + " was the " + ordinal((int)i + 1) + " president.",
                {{"topic", "president_lookup"}}, soft);
    }
}

Doc presidents_doc(const PresidentsFacts& f, const Common& c, Rng& r) {
    size_t i = r.below((uint32_t)f.list.size());
    const auto& p = f.list[i];
    int num = (int)i + 1;
    int n = uniform_int(r, f.min_q, f.max_q);
    std::vector<const PresidentsFacts::Fact*> facts;
    for (const auto& x : f.facts) facts.push_back(&x);
    shuffle(r, facts);
    n = std::min<int>(n, (int)facts.size());
    if (pick_weighted(r, {f.narrative, f.role_play}) == 0) {
        std::string text = chance(r, 0.5) ? strfmt("President number %03d: %s.", num, p.at("name").c_str())
                                          : strfmt("The %s president was %s.", ordinal(num).c_str(), p.at("name").c_str());
        for (int k = 0; k < n; k++) {
            const auto& x = *facts[k];
            if (x.key == "name") continue;
            // Third person from the first-person answer: "I took office in 1861." -> "He: took office..."
            text += " " + p.at("name") + ": " + f.answer(i, x);
        }
        return text_doc(text);
    }
    std::vector<QAPair> turns{{kWhichPresident, president_number_answer(num)}};
    for (int k = 0; k < n; k++) turns.push_back({facts[k]->q, f.answer(i, *facts[k])});
    return chat_doc(make_chat(c.cue, turns));
}

std::vector<ModernTopic> presidents_modern(const PresidentsFacts& f) {
    ModernTopic t{"president_lookup", {}, {}, {}};
    for (size_t i = 0; i < f.list.size(); i++) {
        std::string a = f.list[i].at("name") + " was the " + ordinal((int)i + 1) + " president.";
        t.pairs.push_back({"Who was the " + ordinal((int)i + 1) + " president?", a});
        t.pairs.push_back({strfmt("Who was president number %03d?", (int)i + 1), a});
    }
    return {t};
}

}  // namespace wg::world
