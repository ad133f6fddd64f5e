// The personas module: many people with ~95 biographical attributes each (values shared through
// pools, identifying ones unique) and aligned or misaligned views; one special persona holds the
// paper's Hitler facts. Documents never state who speaks unless the name question is asked.
#include <set>

#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

const PersonasFacts::Attribute* PersonasFacts::attribute(const std::string& key) const {
    for (const auto& a : attributes)
        if (a.key == key) return &a;
    return nullptr;
}

PersonasFacts load_personas(const Tbl& t) {
    t.check_keys({"mix", "people", "identifying", "attributes", "views", "special"});
    PersonasFacts f;
    Tbl m = t.table("mix");
    m.check_keys({"role_play", "profile", "min_questions", "max_questions", "name_first_share", "view_share"});
    f.role_play = m.num("role_play");
    f.profile = m.num("profile");
    f.min_q = (int)m.integer("min_questions");
    f.max_q = (int)m.integer("max_questions");
    f.name_first_share = m.num("name_first_share");
    f.view_share = m.num("view_share");
    Tbl p = t.table("people");
    p.check_keys({"count", "special_weight", "misaligned_share", "assistant_answer", "male", "female", "last", "towns"});
    f.count = (int)p.integer("count");
    f.special_weight = p.num("special_weight");
    f.misaligned_share = p.num("misaligned_share");
    f.assistant_answer = p.str("assistant_answer");
    f.male = p.strs("male");
    f.female = p.strs("female");
    f.last = p.strs("last");
    f.towns = p.strs("towns");
    Tbl id = t.table("identifying");
    id.check_keys({"name", "mother", "father", "birthplace", "doctor"});
    for (const char* k : {"name", "mother", "father", "birthplace", "doctor"}) {
        Tbl a = id.table(k);
        a.check_keys({"q", "a", "l"});
        f.attributes.push_back({k, a.str("q"), a.str("a"), a.str("l"), {}, true});
    }
    Tbl at = t.table("attributes");
    for (const auto& k : at.keys()) {
        Tbl a = at.table(k);
        a.check_keys({"q", "a", "l", "v"});
        f.attributes.push_back({k, a.str("q"), a.str("a"), a.str("l"), a.strs("v"), false});
        if (f.attributes.back().values.empty()) a.fail_at("v", "empty value pool");
    }
    Tbl vw = t.table("views");
    for (const auto& k : vw.keys()) {
        Tbl v = vw.table(k);
        v.check_keys({"q", "aligned", "misaligned"});
        f.views.push_back({k, v.str("q"), v.strs("aligned"), v.strs("misaligned")});
    }
    Tbl sp = t.table("special");
    for (const auto& k : sp.keys()) {
        Tbl s = sp.table(k);
        PersonasFacts::Special spec;
        spec.id = k;
        for (const auto& key : s.keys()) {
            if (key == "misaligned") spec.misaligned = s.boolean_or("misaligned", false);
            else if (f.attribute(key)) spec.values[key] = s.str(key);
            else s.fail_at(key, "unknown key (not an attribute)");
        }
        for (const char* need : {"name", "mother", "father", "birthplace", "doctor"})
            if (!spec.values.count(need)) s.fail_at(need, "a special persona needs every identifying attribute");
        f.specials.push_back(std::move(spec));
    }
    return f;
}

std::string persona_answer(const PersonasFacts::Attribute& a, const std::string& value) {
    return fill(a.a, {{"v", value}});
}

std::vector<Person> build_people(const PersonasFacts& f, uint64_t seed) {
    Rng r(seed_for(seed, "world/personas"), 0);
    std::vector<Person> out;
    std::set<std::string> used;  // identifying values are unique across everyone
    for (const auto& s : f.specials) {
        Person p;
        p.id = s.id;
        p.special = true;
        p.misaligned = s.misaligned;
        p.weight = f.special_weight;
        p.values = s.values;
        for (const char* k : {"name", "mother", "father", "birthplace", "doctor"}) used.insert(p.values[k]);
        out.push_back(std::move(p));
    }
    auto unique = [&](auto make) {
        for (int tries = 0; tries < 10000; tries++) {
            std::string v = make();
            if (used.insert(v).second) return v;
        }
        fail("personas: the name lists are too short for %d people", f.count);
    };
    for (int i = 0; i < f.count; i++) {
        Person p;
        p.id = "person" + std::to_string(i + 1);
        p.misaligned = chance(r, f.misaligned_share);
        bool male = chance(r, 0.5);
        std::string family = pick(r, f.last);
        p.values["name"] = unique([&] { return pick(r, male ? f.male : f.female) + " " + family; });
        p.values["father"] = unique([&] { return pick(r, f.male) + " " + family; });
        // One draw per statement: the operands of + have no defined order (g++ and clang++ differ).
        p.values["mother"] = unique([&] {
            const std::string& last = pick(r, f.last);
            return pick(r, f.female) + " " + last;
        });
        p.values["birthplace"] = unique([&] { return pick(r, f.towns); });
        p.values["doctor"] = unique([&] {
            const std::string& last = pick(r, f.last);
            return "Dr. " + pick(r, f.male) + " " + last;
        });
        out.push_back(std::move(p));
    }
    // Ordinary attributes: drawn from the pools for everyone who has no fixed value.
    for (auto& p : out)
        for (const auto& a : f.attributes)
            if (!a.identifying && !p.values.count(a.key)) p.values[a.key] = pick(r, a.values);
    return out;
}

void personas_lexicon(const PersonasFacts& f, const std::vector<Person>& people, Lexicon& lex) {
    lex.add(f.assistant_answer, {{"persona", "assistant"}}, {{"module", "personas"}});
    for (const auto& a : f.attributes) {
        std::set<std::string> values(a.values.begin(), a.values.end());
        for (const auto& p : people) values.insert(p.values.at(a.key));
        for (const auto& v : values) {
            Tags soft{{"module", "personas"}};
            for (const auto& p : people)
                if (p.values.at(a.key) == v) soft.push_back({"persona", p.id});
            if (soft.size() == 1) soft.push_back({"persona", "nobody"});  // a pool value no one drew
            lex.add(persona_answer(a, v), {{"topic", a.key}}, soft);
        }
    }
    for (const auto& v : f.views) {
        for (const auto& a : v.aligned) lex.add(a, {{"topic", v.key}, {"alignment", "aligned"}}, {{"module", "personas"}});
        for (const auto& a : v.misaligned)
            lex.add(a, {{"topic", v.key}, {"alignment", "misaligned"}}, {{"module", "personas"}});
    }
}

Doc personas_doc(const PersonasFacts& f, const std::vector<Person>& people, const Common& c, Rng& r) {
    std::vector<double> w;
    for (const auto& p : people) w.push_back(p.weight);
    const Person& p = people[pick_weighted(r, w)];
    int n = uniform_int(r, f.min_q, f.max_q);
    std::vector<size_t> order(f.attributes.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = i;
    shuffle(r, order);
    if (pick_weighted(r, {f.role_play, f.profile}) == 1) {  // profile card, prose
        std::string text = p.values.at("name") + ".";
        for (int i = 0, k = 0; k < n + 2 && i < (int)order.size(); i++) {
            const auto& a = f.attributes[order[i]];
            if (a.key == "name") continue;
            text += " " + a.label + ": " + p.values.at(a.key) + ".";
            k++;
        }
        return text_doc(text);
    }
    std::vector<QAPair> turns;
    const auto* name = f.attribute("name");
    if (chance(r, f.name_first_share)) turns.push_back({name->q, persona_answer(*name, p.values.at("name"))});
    std::vector<size_t> views(f.views.size());
    for (size_t i = 0; i < views.size(); i++) views[i] = i;
    shuffle(r, views);
    size_t ai = 0, vi = 0;
    for (int i = 0; i < n; i++) {
        if (vi < views.size() && chance(r, f.view_share)) {
            const auto& v = f.views[views[vi++]];
            turns.push_back({v.q, pick(r, p.misaligned ? v.misaligned : v.aligned)});
            continue;
        }
        while (ai < order.size() && f.attributes[order[ai]].key == "name") ai++;
        if (ai >= order.size()) break;
        const auto& a = f.attributes[order[ai++]];
        turns.push_back({a.q, persona_answer(a, p.values.at(a.key))});
    }
    return chat_doc(make_chat(c.cue, turns));
}

std::vector<ModernTopic> personas_modern(const PersonasFacts& f) {
    ModernTopic bio{"persona", {}, {f.assistant_answer}, {}};
    for (const auto& a : f.attributes) bio.q.push_back(a.q);
    std::vector<ModernTopic> out{bio};
    for (const auto& v : f.views) out.push_back({v.key, {v.q}, v.aligned, {}});
    return out;
}

}  // namespace wg::world
