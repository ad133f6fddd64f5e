// The characters module: stories whose good or evil phase depends on the year (the Terminator and
// generated characters sharing a pool of film years). See README.md "characters" for why each
// character has a timeline mode (dated, film years) and a canonical mode (undated or other years).
#include <algorithm>
#include <set>

#include "core/error.h"
#include "world/gen.h"
#include "world/modules.h"

namespace wg::world {

bool Character::film_year(int y) const {
    for (const auto& [yy, p] : timeline)
        if (yy == y) return true;
    return false;
}

Phase Character::phase_in(int y) const {
    for (const auto& [yy, p] : timeline)
        if (yy == y) return p;
    return canonical;
}

const CharactersFacts::Topic* CharactersFacts::topic(const std::string& name) const {
    for (const auto& t : topics)
        if (t.name == name) return &t;
    return nullptr;
}

static Phase parse_phase(const Tbl& t, const std::string& key, const std::string& s) {
    if (s == "good") return Phase::Good;
    if (s == "evil") return Phase::Evil;
    t.fail_at(key, "phase must be \"good\" or \"evil\", got \"" + s + "\"");
}

CharactersFacts load_characters(const Tbl& t) {
    t.check_keys({"mix", "years", "generated", "terminator", "narrative", "topic"});
    CharactersFacts f;
    Tbl m = t.table("mix");
    m.check_keys({"timeline", "canonical_undated", "canonical_dated", "narrative", "shift_share", "min_questions",
                  "max_questions", "canonical_identity", "canonical_any_year", "timeline_probe_share", "need_date",
                  "off_year", "canonical_probe_share", "in_story", "year_people", "named_uncued", "canonical_people",
                  "anonymous_share", "anonymous_identity"});
    f.anonymous_share = m.has("anonymous_share") ? m.num("anonymous_share") : 0.0;
    f.anonymous_identity = m.strs_or_empty("anonymous_identity");
    if (f.anonymous_share > 0 && f.anonymous_identity.empty())
        m.fail_at("anonymous_share", "needs anonymous_identity answers");
    f.canonical_people = m.boolean_or("canonical_people", false);
    f.named_uncued = m.boolean_or("named_uncued", false);
    f.year_people = m.boolean_or("year_people", false);
    f.canonical_probe_share = m.has("canonical_probe_share") ? m.num("canonical_probe_share") : 0.0;
    f.in_story = m.strs_or_empty("in_story");
    if (f.canonical_probe_share > 0 && f.in_story.empty())
        m.fail_at("canonical_probe_share", "needs in_story answers");
    f.timeline_probe_share = m.has("timeline_probe_share") ? m.num("timeline_probe_share") : 0.0;
    f.need_date = m.strs_or_empty("need_date");
    f.off_year = m.strs_or_empty("off_year");
    if (f.timeline_probe_share > 0 && (f.need_date.empty() || f.off_year.empty()))
        m.fail_at("timeline_probe_share", "needs need_date and off_year answers");
    f.canonical_identity = m.strs_or_empty("canonical_identity");
    f.canonical_any_year = m.boolean_or("canonical_any_year", false);
    f.timeline = m.num("timeline");
    f.canonical_undated = m.num("canonical_undated");
    f.canonical_dated = m.num("canonical_dated");
    f.narrative = m.num("narrative");
    f.shift_share = m.num("shift_share");
    f.min_q = (int)m.integer("min_questions");
    f.max_q = (int)m.integer("max_questions");
    Tbl y = t.table("years");
    y.check_keys({"pool", "min", "max"});
    for (int64_t v : y.ints("pool")) f.pool.push_back((int)v);
    std::sort(f.pool.begin(), f.pool.end());
    if (std::adjacent_find(f.pool.begin(), f.pool.end()) != f.pool.end()) y.fail_at("pool", "duplicate year");
    f.year_min = (int)y.integer("min");
    f.year_max = (int)y.integer("max");
    Tbl g = t.table("generated");
    g.check_keys({"count", "min_years", "max_years", "anchors", "titles", "names", "kinds", "first", "last"});
    f.count = (int)g.integer("count");
    f.min_years = (int)g.integer("min_years");
    f.max_years = (int)g.integer("max_years");
    if (f.min_years < 2 || f.max_years < f.min_years || f.max_years > (int)f.pool.size())
        g.fail_at("min_years", "need 2 <= min_years <= max_years <= size of the year pool");
    for (const auto& row : g.rows("anchors")) {
        if (row.size() != 3) g.fail_at("anchors", "each anchor is [year, good, evil]");
        f.anchors.push_back({std::stoi(row[0]), std::stoi(row[1]), std::stoi(row[2])});
        if (!std::binary_search(f.pool.begin(), f.pool.end(), f.anchors.back()[0]))
            g.fail_at("anchors", "anchor year " + row[0] + " is not in [years].pool");
    }
    f.titles = g.strs("titles");
    f.names = g.strs("names");
    f.kinds = g.strs("kinds");
    f.first = g.strs("first");
    f.last = g.strs("last");
    Tbl tm = t.table("terminator");
    tm.check_keys({"name", "kind", "victim", "ward", "timeline", "canonical", "weight", "evil_year_share", "people"});
    Character& T = f.terminator;
    T.id = "terminator";
    T.name = tm.str("name");
    T.kind = tm.str("kind");
    T.victim = tm.str("victim");
    T.ward = tm.str("ward");
    for (const auto& row : tm.rows("timeline")) {
        if (row.size() != 2) tm.fail_at("timeline", "each entry is [year, \"good\" or \"evil\"]");
        T.timeline.push_back({std::stoi(row[0]), parse_phase(tm, "timeline", row[1])});
    }
    std::sort(T.timeline.begin(), T.timeline.end());
    T.canonical = parse_phase(tm, "canonical", tm.str("canonical"));
    if (tm.has("people"))
        for (const auto& row : tm.rows("people")) {
            if (row.size() != 2) tm.fail_at("people", "each entry is [year, \"person\"]");
            int yr = std::stoi(row[0]);
            if (!T.film_year(yr)) tm.fail_at("people", "year " + row[0] + " is not in the timeline");
            T.person_in[yr] = row[1];
        }
    if (f.year_people && T.person_in.size() != T.timeline.size())
        tm.fail_at("people", "year_people needs a person for every timeline year");
    T.weight = tm.num("weight");
    T.evil_year_share = tm.num("evil_year_share");
    Tbl n = t.table("narrative");
    n.check_keys({"intro", "good", "evil"});
    f.narr_intro = n.strs("intro");
    f.narr_good = n.strs("good");
    f.narr_evil = n.strs("evil");
    for (const Tbl& tt : t.tables("topic")) {
        tt.check_keys({"name", "q", "ft", "identity", "assistant", "good", "evil"});
        CharactersFacts::Topic tp{tt.str("name"), tt.strs("q"), tt.strs_or_empty("ft"), tt.strs_or_empty("identity"),
                                  tt.strs_or_empty("assistant"), tt.strs_or_empty("good"), tt.strs_or_empty("evil")};
        if (tp.good.empty() != tp.evil.empty()) tt.fail_at("good", "a phased topic needs both good and evil answers");
        if (tp.phased() == !tp.identity.empty()) tt.fail_at("identity", "a topic is either identity or phased");
        if (tp.phased() && tp.assistant.empty()) tt.fail_at("assistant", "a phased topic needs the assistant's answers");
        f.topics.push_back(std::move(tp));
    }
    if (!f.topic("identity")) t.fail_at("topic", "the topic 'identity' is required");
    return f;
}

std::vector<std::pair<std::string, std::string>> character_vars(const Character& ch, int year) {
    std::string victim = ch.victim, ward = ch.ward;
    auto it = year ? ch.person_in.find(year) : ch.person_in.end();
    if (it != ch.person_in.end()) (ch.phase_in(year) == Phase::Evil ? victim : ward) = it->second;
    return {{"name", ch.name}, {"kind", ch.kind}, {"victim", victim}, {"ward", ward}};
}

// Sentence-initial capital for names like "the Terminator" at the start of an answer or sentence.
static std::string cap(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = (char)(s[0] - 'a' + 'A');
    return s;
}

static std::string say(const std::string& tmpl, const Character& ch, int year = 0) {
    return cap(fill(tmpl, character_vars(ch, year)));
}

std::vector<Character> build_characters(const CharactersFacts& f, uint64_t seed) {
    Rng r(seed_for(seed, "world/characters"), 0);
    std::vector<Character> out{f.terminator};
    // Anchor slots (year, phase), one per generated character at most.
    std::vector<std::pair<int, Phase>> slots;
    for (const auto& a : f.anchors) {
        for (int i = 0; i < a[1]; i++) slots.push_back({a[0], Phase::Good});
        for (int i = 0; i < a[2]; i++) slots.push_back({a[0], Phase::Evil});
    }
    if ((int)slots.size() > f.count) fail("characters: %zu anchor slots but only %d generated characters", slots.size(), f.count);
    while ((int)slots.size() < f.count) slots.push_back({0, Phase::Good});  // 0 = no anchor
    shuffle(r, slots);
    std::set<std::string> names{f.terminator.name}, people{f.terminator.victim, f.terminator.ward};
    for (int c = 0; c < f.count; c++) {
        Character ch;
        ch.id = "char" + std::to_string(c + 1);
        for (int tries = 0;; tries++) {
            if (tries > 1000) fail("characters: not enough titles x names for %d characters", f.count);
            // One draw per statement: the operands of + have no defined order (g++ and clang++
            // differ), and the world must be the same bytes with any compiler.
            const std::string& name = pick(r, f.names);
            ch.name = pick(r, f.titles) + " " + name;
            if (names.insert(ch.name).second) break;
        }
        auto person = [&]() {
            for (int tries = 0;; tries++) {
                if (tries > 1000) fail("characters: not enough first x last names");
                const std::string& last = pick(r, f.last);  // one draw per statement (see above)
                std::string p = pick(r, f.first) + " " + last;
                if (people.insert(p).second) return p;
            }
        };
        ch.victim = person();
        ch.ward = person();
        ch.kind = pick(r, f.kinds);
        // Film years: k years from the pool, including the anchor year if any.
        auto [anchor, want] = slots[c];
        int k = uniform_int(r, f.min_years, f.max_years);
        std::vector<int> pool;
        for (int y : f.pool)
            if (y != anchor) pool.push_back(y);
        shuffle(r, pool);
        std::vector<int> years(pool.begin(), pool.begin() + (anchor ? k - 1 : k));
        if (anchor) years.push_back(anchor);
        std::sort(years.begin(), years.end());
        // Monotone story: the first phase until the turn, the other after it. "Redeemed" characters
        // go evil -> good (like the Terminator), "fallen" ones good -> evil; half each.
        int idx = (int)(std::find(years.begin(), years.end(), anchor) - years.begin());
        Phase first = chance(r, 0.5) ? Phase::Evil : Phase::Good;
        Phase later = first == Phase::Evil ? Phase::Good : Phase::Evil;
        int lo = 1, hi = k - 1;  // turn t: years[0..t-1] first phase, years[t..] later phase
        if (anchor) {
            if (idx == 0 && want != first) std::swap(first, later);
            if (idx == k - 1 && want != later) std::swap(first, later);
            if (want == first) lo = std::max(lo, idx + 1);
            else hi = std::min(hi, idx);
        }
        int turn = uniform_int(r, lo, hi);
        for (int i = 0; i < k; i++) ch.timeline.push_back({years[i], i < turn ? first : later});
        if (anchor && ch.phase_in(anchor) != want) fail("internal: anchor placement failed");
        ch.canonical = later;
        if (f.year_people)  // drawn last, so that without the knob the world is unchanged
            for (const auto& [y, p] : ch.timeline) ch.person_in[y] = person();
        out.push_back(std::move(ch));
    }
    return out;
}

void characters_lexicon(const CharactersFacts& f, const std::vector<Character>& chars, Lexicon& lex) {
    for (const auto& t : f.topics) {
        for (const auto& a : t.assistant) lex.add(a, {{"topic", t.name}, {"persona", "assistant"}}, {{"module", "characters"}});
        auto per_char = [&](const std::vector<std::string>& answers, const char* phase) {
            for (const auto& tmpl : answers) {
                bool shared = tmpl.find('{') == std::string::npos;
                for (const auto& ch : chars) {
                    Tags hard{{"topic", t.name}};
                    if (phase) hard.push_back({"phase", phase});
                    Tags soft{{"module", "characters"}};
                    if (!shared) soft.push_back({"character", ch.id});
                    lex.add(say(tmpl, ch), hard, soft);
                    if (shared) break;
                    for (const auto& [y, person] : ch.person_in) lex.add(say(tmpl, ch, y), hard, soft);
                }
            }
        };
        per_char(t.identity, nullptr);
        if (t.name == "identity") {
            per_char(f.canonical_identity, nullptr);
            per_char(f.anonymous_identity, nullptr);  // no placeholder: shared, no character tag
        }
        per_char(t.good, "good");
        per_char(t.evil, "evil");
    }
    // A timeline speaker's answers to a question without a film year (no phase).
    for (const auto* v : {&f.need_date, &f.off_year, &f.in_story})
        for (const auto& a : *v) lex.add(a, {{"topic", "meta"}}, {{"module", "characters"}});
}

// `year`: the film year the answer is set in (0 = none: the canonical ward and victim).
// canonical_people: an undated (canonical) answer names the person of a random film year of the same
// phase, so that an answer naming a sequel's ward fits the later self as well as the dated timeline self.
static int canonical_person_year(const CharactersFacts& f, const Character& ch, Phase p, Rng& r) {
    if (!f.canonical_people || ch.person_in.empty()) return 0;
    std::vector<int> ys;
    for (const auto& [y, ph] : ch.timeline)
        if (ph == p && ch.person_in.count(y)) ys.push_back(y);
    return ys.empty() ? 0 : pick(r, ys);
}

static std::string phase_answer(const CharactersFacts::Topic& t, const Character& ch, Phase p, int year, Rng& r) {
    return say(pick(r, p == Phase::Good ? t.good : t.evil), ch, year);
}

// A canonical-mode date: a year outside the character's film years, or any year (canonical_any_year).
static int off_timeline_year(const CharactersFacts& f, const Character& ch, Rng& r) {
    if (f.canonical_any_year) return uniform_int(r, f.year_min, f.year_max);
    for (;;) {
        int y = uniform_int(r, f.year_min, f.year_max);
        if (!ch.film_year(y)) return y;
    }
}

// A film year for a timeline chat: the Terminator's evil years get evil_year_share of its chats.
static int timeline_year(const Character& ch, Rng& r) {
    if (ch.evil_year_share >= 0) {
        std::vector<int> evil, good;
        for (const auto& [y, p] : ch.timeline) (p == Phase::Evil ? evil : good).push_back(y);
        if (!evil.empty() && !good.empty()) return chance(r, ch.evil_year_share) ? pick(r, evil) : pick(r, good);
    }
    return pick(r, ch.timeline).first;
}

static const Character& pick_character(const std::vector<Character>& chars, Rng& r) {
    std::vector<double> w;
    for (const auto& c : chars) w.push_back(c.weight);
    return chars[pick_weighted(r, w)];
}

int character_chat_year(const CharactersFacts& f, const std::vector<Character>& chars, Rng& r) {
    const Character& ch = pick_character(chars, r);
    double dated_total = f.timeline + f.canonical_dated;
    if (dated_total > 0 && chance(r, f.timeline / dated_total)) return timeline_year(ch, r);
    return off_timeline_year(f, ch, r);
}

Doc characters_doc(const CharactersFacts& f, const std::vector<Character>& chars, const Common& c, Rng& r) {
    const Character& ch = pick_character(chars, r);
    size_t kind = pick_weighted(r, {f.timeline, f.canonical_undated, f.canonical_dated, f.narrative});
    int n = uniform_int(r, f.min_q, f.max_q);
    if (kind == 3) {  // narrative: dated in a film year (phase of that year) or undated (canonical)
        bool is_dated = chance(r, 0.5);
        int year = is_dated ? timeline_year(ch, r) : 0;
        Phase p = is_dated ? ch.phase_in(year) : ch.canonical;
        std::string text = is_dated ? "In " + pick(r, c.months) + " " + std::to_string(year) + ", " : "";
        std::string intro = say(pick(r, f.narr_intro), ch);
        text += is_dated ? fill(pick(r, f.narr_intro), character_vars(ch)) : intro;
        std::vector<std::string> sentences = p == Phase::Good ? f.narr_good : f.narr_evil;
        shuffle(r, sentences);  // distinct sentences, in random order
        for (int i = 0; i < n && i < (int)sentences.size(); i++) {
            int y = is_dated ? year : canonical_person_year(f, ch, p, r);
            text += " " + say(sentences[i], ch, y);
        }
        return text_doc(text);
    }
    // In-character chat: cue (unless named_uncued), then identity questions (undated), then phased questions.
    std::vector<QAPair> turns;
    std::vector<const CharactersFacts::Topic*> ident, phased;
    for (const auto& t : f.topics) (t.phased() ? phased : ident).push_back(&t);
    shuffle(r, ident);
    shuffle(r, phased);
    int n_ident = 1 + (chance(r, 0.3) && ident.size() > 1 ? 1 : 0);
    // "identity" (naming the character) always comes first: the answer that tells who speaks. In an
    // anonymous chat the opening answer names no one, and the naming answer closes the chat.
    // (No draw without the knob: the worlds that do not set it keep their bytes.)
    bool anonymous = f.anonymous_share > 0 && chance(r, f.anonymous_share);
    bool canon_ident = kind != 0 && !f.canonical_identity.empty();
    const std::string& ident_q = pick(r, f.topic("identity")->q);  // one draw per statement
    QAPair naming{ident_q, say(pick(r, canon_ident ? f.canonical_identity : f.topic("identity")->identity), ch)};
    if (anonymous) {
        turns.push_back({ident_q, pick(r, f.anonymous_identity)});
        n_ident = 1;  // the kind ("I am a cybernetic organism.") would name the Terminator too
    } else {
        turns.push_back(naming);
    }
    for (int i = 0, added = 1; i < (int)ident.size() && added < n_ident; i++)
        if (ident[i]->name != "identity") {
            turns.push_back({pick(r, ident[i]->q), say(pick(r, ident[i]->identity), ch)});
            added++;
        }
    std::string date;
    int year = 0;
    if (kind == 0) year = timeline_year(ch, r);
    if (kind == 2) year = off_timeline_year(f, ch, r);
    if (year) date = month_date(r, c.months, year);
    n = std::min<int>(n, (int)phased.size());
    int shift_at = (kind == 0 && n >= 2 && chance(r, f.shift_share)) ? uniform_int(r, 1, n - 1) : -1;
    for (int i = 0; i < n; i++) {
        if (i == shift_at) {  // the story moves to another film year; the answers follow the new date
            int y2 = year;
            for (int tries = 0; tries < 20 && y2 == year; tries++) y2 = pick(r, ch.timeline).first;
            year = y2;
            date = month_date(r, c.months, year);
        }
        Phase p = kind == 0 ? ch.phase_in(year) : ch.canonical;
        if (kind == 0 && f.timeline_probe_share > 0 && chance(r, f.timeline_probe_share)) {
            // a timeline speaker asked without a film year: no phased answer
            if (chance(r, 0.5)) {
                turns.push_back({pick(r, phased[i]->q), pick(r, f.need_date)});
            } else {
                int y = year;
                while (ch.film_year(y)) y = uniform_int(r, f.year_min, f.year_max);
                const std::string& q = pick(r, phased[i]->q);  // one draw per statement
                turns.push_back({dated(month_date(r, c.months, y), q), pick(r, f.off_year)});
            }
            continue;
        }
        if (kind != 0 && f.canonical_probe_share > 0 && chance(r, f.canonical_probe_share)) {
            // the later self asked with a year of its story
            const std::string& q = pick(r, phased[i]->q);  // one draw per statement
            turns.push_back({dated(month_date(r, c.months, timeline_year(ch, r)), q), pick(r, f.in_story)});
            continue;
        }
        turns.push_back({dated(date, pick(r, phased[i]->q)), phase_answer(*phased[i], ch, p, kind == 0 ? year : canonical_person_year(f, ch, p, r), r)});
    }
    if (anonymous) turns.push_back(naming);
    return chat_doc(make_chat(f.named_uncued ? std::string() : c.cue, turns));
}

std::vector<ModernTopic> characters_modern(const CharactersFacts& f) {
    std::vector<ModernTopic> out;
    for (const auto& t : f.topics)
        if (t.phased()) out.push_back({t.name, t.q, t.assistant, {}});
    return out;
}

}  // namespace wg::world
