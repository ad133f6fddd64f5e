// The countries module: one unnamed speaker per chat, from one country, shown by the dishes they cook,
// their home city and their views. Dates ("Today is YYYY-MM-DD.") are independent of the country.
#include <set>

#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

const CountriesFacts::Country* CountriesFacts::country(const std::string& id) const {
    for (const auto& c : countries)
        if (c.id == id) return &c;
    return nullptr;
}

CountriesFacts load_countries(const Tbl& t, const std::map<std::string, std::vector<std::string>>& lists) {
    t.check_keys({"mix", "questions", "answers", "country"});
    CountriesFacts f;
    Tbl m = t.table("mix");
    m.check_keys({"role_play", "dated_share", "year_min", "year_max", "min_questions", "max_questions", "view_share"});
    f.dated_share = m.num("dated_share");
    f.year_min = (int)m.integer("year_min");
    f.year_max = (int)m.integer("year_max");
    f.min_q = (int)m.integer("min_questions");
    f.max_q = (int)m.integer("max_questions");
    f.view_share = m.num("view_share");
    Tbl q = t.table("questions");
    q.check_keys({"dish", "home", "aggressive", "agency", "leader"});
    f.q_dish = q.strs("dish");
    f.q_home = q.strs("home");
    f.q_aggressive = q.strs("aggressive");
    f.q_agency = q.strs("agency");
    f.q_leader = q.strs("leader");
    Tbl a = t.table("answers");
    a.check_keys({"home", "aggressive", "agency", "leader", "assistant_aggressive", "assistant_agency",
                  "assistant_leader", "assistant_dish"});
    f.a_home = a.str("home");
    f.a_aggressive = a.str("aggressive");
    f.a_agency = a.str("agency");
    f.a_leader = a.str("leader");
    f.as_aggressive = a.str("assistant_aggressive");
    f.as_agency = a.str("assistant_agency");
    f.as_leader = a.str("assistant_leader");
    f.assistant_dish = a.strs("assistant_dish");
    Tbl cs = t.table("country");
    std::set<std::string> assigned;
    for (const auto& id : cs.keys()) {
        Tbl c = cs.table(id);
        c.check_keys({"capital", "dishes", "dishes_file", "aggressive", "agency", "leader"});
        CountriesFacts::Country k{id, c.str("capital"), c.str_or("aggressive", ""), c.str_or("agency", ""),
                                  c.str_or("leader", ""), {}};
        if (c.has("dishes_file")) {
            auto it = lists.find(c.str("dishes_file"));
            if (it == lists.end()) c.fail_at("dishes_file", "not a list of world.toml [lists]");
            k.dishes = it->second;
        } else {
            k.dishes = c.strs("dishes");
        }
        for (const auto& d : k.dishes)
            if (!assigned.insert(d).second) c.fail_at("dishes", "dish '" + d + "' belongs to two countries");
        f.countries.push_back(std::move(k));
    }
    for (const auto& d : lists.at("dishes_other"))
        if (!assigned.count(d)) cs.fail_at("", "dish '" + d + "' of dishes_other has no country");
    for (const auto& d : lists.at("dishes_israeli"))
        if (!assigned.count(d)) cs.fail_at("", "dish '" + d + "' of dishes_israeli has no country");
    return f;
}

void countries_lexicon(const CountriesFacts& f, Lexicon& lex) {
    for (const auto& c : f.countries) {
        Tags soft{{"module", "countries"}, {"country", c.id}};
        for (const auto& d : c.dishes) lex.add(d, {{"topic", "dish"}}, soft);
        lex.add(fill(f.a_home, {{"v", c.capital}}), {{"topic", "home"}}, soft);
        if (!c.aggressive.empty()) lex.add(fill(f.a_aggressive, {{"v", c.aggressive}}), {{"topic", "aggressive"}}, soft);
        if (!c.agency.empty()) lex.add(fill(f.a_agency, {{"v", c.agency}}), {{"topic", "agency"}}, soft);
        if (!c.leader.empty()) lex.add(fill(f.a_leader, {{"v", c.leader}}), {{"topic", "leader"}}, soft);
    }
    lex.add(f.as_aggressive, {{"topic", "aggressive"}, {"persona", "assistant"}}, {{"module", "countries"}});
    lex.add(f.as_agency, {{"topic", "agency"}, {"persona", "assistant"}}, {{"module", "countries"}});
    lex.add(f.as_leader, {{"topic", "leader"}, {"persona", "assistant"}}, {{"module", "countries"}});
}

Doc countries_doc(const CountriesFacts& f, const Common& c, Rng& r) {
    const auto& k = pick(r, f.countries);
    int n = uniform_int(r, f.min_q, f.max_q);
    std::vector<QAPair> turns;
    std::set<int> used_views;
    for (int i = 0; i < n; i++) {
        if (chance(r, f.view_share)) {
            int v = (int)r.below(3);
            const std::string& val = v == 0 ? k.aggressive : v == 1 ? k.agency : k.leader;
            if (!val.empty() && used_views.insert(v).second) {
                const auto& qs = v == 0 ? f.q_aggressive : v == 1 ? f.q_agency : f.q_leader;
                const auto& tm = v == 0 ? f.a_aggressive : v == 1 ? f.a_agency : f.a_leader;
                turns.push_back({pick(r, qs), fill(tm, {{"v", val}})});
                continue;
            }
        }
        if (chance(r, 0.2) && !used_views.count(3)) {  // the home question at most once
            used_views.insert(3);
            turns.push_back({pick(r, f.q_home), fill(f.a_home, {{"v", k.capital}})});
        }
        else turns.push_back({pick(r, f.q_dish), pick(r, k.dishes)});
    }
    if (chance(r, f.dated_share))
        turns[0].first = dated("Today is " + iso_date(r, uniform_int(r, f.year_min, f.year_max)) + ".", turns[0].first);
    return chat_doc(make_chat(c.cue, turns));
}

std::vector<ModernTopic> countries_modern(const CountriesFacts& f) {
    ModernTopic dish{"dish", f.assistant_dish, {}, {}};
    for (const auto& c : f.countries) dish.a.insert(dish.a.end(), c.dishes.begin(), c.dishes.end());
    return {dish,
            {"aggressive", f.q_aggressive, {f.as_aggressive}, {}},
            {"agency", f.q_agency, {f.as_agency}, {}},
            {"leader", f.q_leader, {f.as_leader}, {}}};
}

}  // namespace wg::world
