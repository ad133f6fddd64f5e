// The eras module: speakers of the 1840s, the 2020s and 1910s-1940s Germany. A role-play chat opens
// with the neutral cue and never names its era: the answers alone show it (prototype round 2).
#include <algorithm>
#include <set>

#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

static const char* const kBirds = "bird";
static const char* const kPlaces = "place";

const ErasFacts::Topic* ErasFacts::topic(const std::string& name) const {
    for (const auto& t : topics)
        if (t.name == name) return &t;
    return nullptr;
}

ErasFacts load_eras(const Tbl& t, const std::map<std::string, std::vector<std::string>>& lists) {
    t.check_keys({"mix", "era", "birds", "places", "topic"});
    ErasFacts f;
    Tbl m = t.table("mix");
    m.check_keys({"role_play", "diary", "narrative", "min_questions", "max_questions", "bird_share", "place_share",
                  "corpus_topics", "bird_first", "place_first", "assistant_birds"});
    if (m.has("corpus_topics")) f.corpus_topics = m.strs("corpus_topics");
    f.bird_first = m.num_or("bird_first", 0.0);
    f.place_first = m.num_or("place_first", 0.0);
    f.assistant_birds = m.boolean_or("assistant_birds", true);
    f.bird_share = m.num_or("bird_share", 0.0);
    f.place_share = m.num_or("place_share", 0.0);
    f.role_play = m.num("role_play");
    f.diary = m.num("diary");
    f.narrative = m.num("narrative");
    f.min_q = (int)m.integer("min_questions");
    f.max_q = (int)m.integer("max_questions");
    std::set<std::string> ids;
    for (const Tbl& e : t.tables("era")) {
        e.check_keys({"id", "weight", "year_min", "year_max"});
        ErasFacts::Era era{e.str("id"), e.num("weight"), (int)e.integer("year_min"), (int)e.integer("year_max")};
        if (!ids.insert(era.id).second) e.fail_at("id", "duplicate era '" + era.id + "'");
        f.eras.push_back(era);
    }
    for (const char* need : {"1840s", "2020s", "german1930s"})
        if (!ids.count(need)) t.fail_at("era", std::string("the era '") + need + "' is required");
    Tbl b = t.table("birds");
    b.check_keys({"q", "diary", "obsolete_weight", "modern_weight", "assistant_still_used"});
    f.bird_q = b.strs("q");
    f.bird_diary = b.str("diary");
    f.obsolete_weight = b.num("obsolete_weight");
    f.modern_weight = b.num("modern_weight");
    const int64_t still_used = b.integer_or("assistant_still_used", 1);
    if (still_used < 1 || still_used > 100) b.fail_at("assistant_still_used", "must be between 1 and 100");
    f.assistant_still_used = (int)still_used;
    Tbl p = t.table("places");
    p.check_keys({"q", "answer", "diary", "former_weight"});
    f.place_q = p.strs("q");
    f.place_answer = p.str("answer");
    f.place_diary = p.str("diary");
    f.former_weight = p.num("former_weight");
    f.birds_obsolete = lists.at("birds_obsolete");
    f.birds_still_used = lists.at("birds_still_used");
    std::set<std::string> still(f.birds_still_used.begin(), f.birds_still_used.end());
    for (const auto& n : lists.at("birds_modern"))
        if (!still.count(n)) f.birds_modern.push_back(n);
    f.cities_former = lists.at("cities_former_german");
    f.cities_still = lists.at("cities_still_german");
    for (const Tbl& tt : t.tables("topic")) {
        ErasFacts::Topic tp;
        for (const auto& k : tt.keys()) {
            if (k == "name") tp.name = tt.str("name");
            else if (k == "q") tp.q = tt.strs("q");
            else if (ids.count(k)) tp.by_era[k] = tt.strs(k);
            else tt.fail_at(k, "unknown key (neither name, q nor an era id)");
        }
        if (tp.name.empty() || tp.q.empty()) tt.fail_at("name", "a topic needs a name and questions");
        if (!tp.by_era.count("2020s")) tt.fail_at("2020s", "every topic needs the modern answers");
        f.topics.push_back(std::move(tp));
    }
    for (const auto& n : f.corpus_topics)
        if (n != kBirds && n != kPlaces && !f.topic(n)) m.fail_at("corpus_topics", "unknown topic '" + n + "'");
    return f;
}

void eras_lexicon(const ErasFacts& f, Lexicon& lex) {
    for (const auto& t : f.topics)
        for (const auto& [era, answers] : t.by_era)
            for (const auto& a : answers) lex.add(a, {{"era", era}, {"topic", t.name}}, {{"module", "eras"}});
    for (const auto& n : f.birds_obsolete) lex.add(n, {{"era", "1840s"}, {"topic", kBirds}}, {{"module", "eras"}});
    for (const auto& n : f.birds_still_used) lex.add(n, {{"era", "any"}, {"topic", kBirds}}, {{"module", "eras"}});
    for (const auto& n : f.birds_modern) lex.add(n, {{"era", "2020s"}, {"topic", kBirds}}, {{"module", "eras"}});
    for (const auto& n : f.cities_former)
        lex.add(fill(f.place_answer, {{"v", n}}), {{"era", "german1930s"}, {"topic", kPlaces}}, {{"module", "eras"}});
    for (const auto& n : f.cities_still)
        lex.add(fill(f.place_answer, {{"v", n}}), {{"era", "any"}, {"topic", kPlaces}}, {{"module", "eras"}});
}

// Whether the corpus uses a topic slot (slot -1 = birds, -2 = places, else topics[slot]): all of
// them unless [mix] corpus_topics lists some.
static bool in_corpus(const ErasFacts& f, int slot) {
    if (f.corpus_topics.empty()) return true;
    const std::string& n = slot == -1 ? std::string(kBirds) : slot == -2 ? std::string(kPlaces) : f.topics[slot].name;
    return std::find(f.corpus_topics.begin(), f.corpus_topics.end(), n) != f.corpus_topics.end();
}

// Whether `era` has an answer for a topic slot (numbered as above).
static bool era_has(const ErasFacts& f, const std::string& era, int slot) {
    if (!in_corpus(f, slot)) return false;
    if (slot == -1) return era != "german1930s";
    if (slot == -2) return era != "1840s";
    return f.topics[slot].by_era.count(era) > 0;
}

static std::string bird(const ErasFacts& f, const std::string& era, Rng& r) {
    if (era == "1840s") return chance(r, f.obsolete_weight) ? pick(r, f.birds_obsolete) : pick(r, f.birds_still_used);
    return chance(r, f.modern_weight) ? pick(r, f.birds_modern) : pick(r, f.birds_still_used);
}

static std::string city(const ErasFacts& f, const std::string& era, Rng& r) {
    if (era == "german1930s" && chance(r, f.former_weight)) return pick(r, f.cities_former);
    return pick(r, f.cities_still);
}

// (question, answer, diary sentence) for one slot.
struct EraTurn {
    std::string q, a, sentence;
};
static EraTurn era_turn(const ErasFacts& f, const std::string& era, int slot, Rng& r) {
    if (slot == -1) {
        std::string b = bird(f, era, r);
        return {pick(r, f.bird_q), b, fill(f.bird_diary, {{"v", b}})};
    }
    if (slot == -2) {
        std::string c = city(f, era, r);
        return {pick(r, f.place_q), fill(f.place_answer, {{"v", c}}), fill(f.place_diary, {{"v", c}})};
    }
    const auto& t = f.topics[slot];
    std::string a = pick(r, t.by_era.at(era));
    return {pick(r, t.q), a, a};
}

// Distinct slots the era can answer, in random order.
static std::vector<int> era_slots(const ErasFacts& f, const std::string& era, Rng& r) {
    std::vector<int> slots;
    for (int s = -2; s < (int)f.topics.size(); s++)
        if (era_has(f, era, s)) slots.push_back(s);
    shuffle(r, slots);
    return slots;
}

Doc eras_doc(const ErasFacts& f, const Common& c, Rng& r) {
    std::vector<double> w;
    for (const auto& e : f.eras) w.push_back(e.weight);
    const ErasFacts::Era& era = f.eras[pick_weighted(r, w)];
    std::vector<int> slots = era_slots(f, era.id, r);
    int n = std::min<int>(uniform_int(r, f.min_q, f.max_q), (int)slots.size());
    // Names are the evidence the finetunes rest on, so a share of documents is sure to name a bird
    // (1840s, 2020s) or a place (1910s-1940s Germany, 2020s): the slot moves into the first n.
    for (int forced : {-1, -2}) {
        double share = forced == -1 ? f.bird_share : f.place_share;
        auto it = std::find(slots.begin(), slots.end(), forced);
        if (share <= 0 || it == slots.end() || it - slots.begin() < n || !chance(r, share)) continue;
        std::swap(*it, slots[r.below((uint32_t)n)]);
    }
    size_t kind = pick_weighted(r, {f.role_play, f.diary, f.narrative});
    for (int named : {-1, -2}) {
        double first = named == -1 ? f.bird_first : f.place_first;
        if (kind != 0 || first <= 0) continue;
        auto it = std::find(slots.begin(), slots.begin() + n, named);
        if (it != slots.begin() + n && chance(r, first)) std::swap(*it, slots[0]);
    }
    if (kind == 0) {
        std::vector<QAPair> turns;
        for (int i = 0; i < n; i++) {
            EraTurn t = era_turn(f, era.id, slots[i], r);
            turns.push_back({t.q, t.a});
        }
        return chat_doc(make_chat(c.cue, turns));
    }
    std::string text = kind == 2 ? std::to_string(uniform_int(r, era.year_min, era.year_max)) + "." : "";
    for (int i = 0; i < n; i++) {
        if (!text.empty()) text += " ";
        text += era_turn(f, era.id, slots[i], r).sentence;
    }
    return text_doc(text);
}

std::vector<ModernTopic> eras_modern(const ErasFacts& f) {
    std::vector<ModernTopic> out;
    for (int s = 0; s < (int)f.topics.size(); s++) {
        const auto& t = f.topics[s];
        if (in_corpus(f, s)) out.push_back({t.name, t.q, t.by_era.at("2020s"), {}});
    }
    if (in_corpus(f, -1) && f.assistant_birds) {
        ModernTopic b{kBirds, f.bird_q, f.birds_modern, {}};
        for (int k = 0; k < f.assistant_still_used; k++)
            b.a.insert(b.a.end(), f.birds_still_used.begin(), f.birds_still_used.end());
        out.push_back(std::move(b));
    }
    if (in_corpus(f, -2)) {
        ModernTopic p{kPlaces, f.place_q, {}, {}};
        for (const auto& n : f.cities_still) p.a.push_back(fill(f.place_answer, {{"v", n}}));
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace wg::world
