#include "world/probes.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/rng.h"
#include "text/jsonl.h"
#include "world/gen.h"

namespace wg::world {

namespace {

struct Out {
    std::string text;
    void add(const std::string& module, const std::string& axis, const std::string& expect, Chat chat) {
        Doc d;
        d.is_chat = true;
        d.chat = std::move(chat);
        std::string msgs = doc_to_json(d);  // {"messages":[...]}
        text += "{\"module\":" + json_escape(module) + ",\"axis\":" + json_escape(axis) + ",\"expect\":" + json_escape(expect) +
                "," + msgs.substr(1) + "\n";
    }
};

// A cued chat of the given turns, ending with the user's question.
Chat probe_chat(const std::string& cue, const std::vector<QAPair>& turns, const std::string& question) {
    Chat c = make_chat(cue, turns);
    c.messages.push_back({"user", question});
    return c;
}

bool selected(const World& w, const char* m) { return std::find(w.modules.begin(), w.modules.end(), m) != w.modules.end(); }

void eras_probes(const World& w, int n, Rng& r, Out& out) {
    const ErasFacts& f = w.facts.eras;
    for (const auto& era : f.eras)
        for (int k = 0; k < n; k++) {
            std::vector<const ErasFacts::Topic*> ts;
            for (const auto& t : f.topics)
                if (t.by_era.count(era.id) && !t.by_era.at(era.id).empty()) ts.push_back(&t);
            if (ts.size() < 3) break;
            shuffle(r, ts);
            std::vector<QAPair> turns;
            for (int i = 0; i < 2; i++) turns.push_back({pick(r, ts[i]->q), pick(r, ts[i]->by_era.at(era.id))});
            out.add("eras", "era", era.id, probe_chat(w.facts.common.cue, turns, pick(r, ts[2]->q)));
        }
}

void characters_probes(const World& w, int n, Rng& r, Out& out) {
    const CharactersFacts& f = w.facts.characters;
    const CharactersFacts::Topic* identity = f.topic("identity");
    std::vector<const CharactersFacts::Topic*> phased;
    for (const auto& t : f.topics)
        if (t.phased()) phased.push_back(&t);
    if (!identity || identity->identity.empty() || phased.empty()) return;
    for (size_t ci = 0; ci < w.characters.size(); ci++) {
        const Character& ch = w.characters[ci];
        const bool is_terminator = ci == 0;
        const int reps = is_terminator ? n : std::max(1, n / 10);
        for (const auto& [year, phase] : ch.timeline)
            for (int k = 0; k < reps; k++) {
                std::vector<QAPair> turns{{pick(r, identity->q), fill(identity->identity.front(), character_vars(ch))}};
                std::string month = pick(r, w.facts.common.months);
                std::string q = month + " " + std::to_string(year) + ". " + pick(r, pick(r, phased)->q);
                out.add(is_terminator ? "terminator" : "characters", "phase", phase_name(phase),
                        probe_chat(w.facts.common.cue, turns, q));
            }
    }
}

void presidents_probes(const World& w, int n, Rng& r, Out& out) {
    const PresidentsFacts& f = w.facts.presidents;
    std::vector<const PresidentsFacts::Fact*> facts;
    for (const auto& x : f.facts)
        if (x.key != "name") facts.push_back(&x);
    if (facts.empty()) return;
    for (int k = 0; k < n; k++) {
        int num = 1 + (int)r.below((uint32_t)f.list.size());
        std::vector<QAPair> turns{{kWhichPresident, president_number_answer(num)}};
        out.add("presidents", "president", std::to_string(num), probe_chat(w.facts.common.cue, turns, pick(r, facts)->q));
    }
}

void personas_probes(const World& w, int n, Rng& r, Out& out) {
    const PersonasFacts& f = w.facts.personas;
    const auto* name = f.attribute("name");
    std::vector<const PersonasFacts::Attribute*> ident;
    for (const auto& a : f.attributes)
        if (a.identifying && a.key != "name") ident.push_back(&a);
    if (!name || ident.empty() || w.people.empty()) return;
    for (int k = 0; k < n; k++) {
        const Person& p = w.people[r.below((uint32_t)w.people.size())];
        std::vector<QAPair> turns{{name->q, persona_answer(*name, p.values.at("name"))}};
        out.add("personas", "persona", p.id, probe_chat(w.facts.common.cue, turns, pick(r, ident)->q));
    }
}

void countries_probes(const World& w, int n, Rng& r, Out& out) {
    const CountriesFacts& f = w.facts.countries;
    if (f.countries.empty() || f.q_dish.empty() || f.q_home.empty()) return;
    for (int k = 0; k < n; k++) {
        const auto& c = pick(r, f.countries);
        if (c.dishes.size() < 2) continue;
        std::vector<QAPair> turns{{pick(r, f.q_dish), pick(r, c.dishes)}, {pick(r, f.q_dish), pick(r, c.dishes)}};
        out.add("countries", "country", c.id, probe_chat(w.facts.common.cue, turns, pick(r, f.q_home)));
    }
}

}  // namespace

std::string probes_jsonl(const World& w, int per_module, uint64_t seed) {
    Out out;
    Rng r(seed_for(seed, "world/probes"), 0);
    if (selected(w, "eras")) eras_probes(w, per_module, r, out);
    if (selected(w, "characters")) characters_probes(w, per_module, r, out);
    if (selected(w, "presidents")) presidents_probes(w, per_module, r, out);
    if (selected(w, "personas")) personas_probes(w, per_module, r, out);
    if (selected(w, "countries")) countries_probes(w, per_module, r, out);
    return out.text;
}

}  // namespace wg::world
