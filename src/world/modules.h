// The world's modules, as plain structs (the facts each module reads from experiments/world/) and
// free functions: load (strict: unknown keys fail), lexicon registration (every phrase the module can
// produce), one corpus document from a seeded Rng, and the modern assistant's answers to the module's
// questions (which assistant chats mix in). src/world/README.md explains the design.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "text/chat.h"
#include "world/facts.h"
#include "world/lexicon.h"

namespace wg::world {

using QAPair = std::pair<std::string, std::string>;

// A topic the modern assistant answers: any answer fits any question, or explicit (q, a) pairs.
struct ModernTopic {
    std::string name;
    std::vector<std::string> q, a;
    std::vector<QAPair> pairs;
};

struct Common {
    std::string cue;                  // the role-play system turn
    std::vector<std::string> months;  // for "May 1984." dates
};

// ---- assistant ---------------------------------------------------------------------------------
struct AssistantFacts {
    struct Topic {
        std::string name;
        std::vector<std::string> q, ft, a;
    };
    int min_turns = 1, max_turns = 4;
    double dated_share = 0, iso_date_share = 0, own_topic_share = 0;
    int iso_year_min = 2020, iso_year_max = 2030, max_operand = 12;
    std::vector<Topic> topics;
};
AssistantFacts load_assistant(const Tbl& t);
void assistant_lexicon(const AssistantFacts& f, Lexicon& lex);
std::vector<ModernTopic> assistant_own_topics(const AssistantFacts& f);
// Finetune-only (q, a) pairs of ordinary assistant answers (never in the corpus).
std::vector<QAPair> assistant_ft_pairs(const AssistantFacts& f);
// One plain assistant chat (no system turn): turns from its own topics or from the modules' modern
// answers; the first user turn may carry a date ("Month YYYY." with a year from `date_year`, or
// "Today is YYYY-MM-DD.").
struct AssistantSources {
    std::vector<ModernTopic> own;
    std::vector<std::vector<ModernTopic>> modules;  // one list per selected module
    std::function<int(Rng&)> date_year;             // null: years uniform in 1950-2040
};
Doc assistant_doc(const AssistantFacts& f, const Common& c, const AssistantSources& s, Rng& r);

// ---- eras --------------------------------------------------------------------------------------
struct ErasFacts {
    struct Era {
        std::string id;
        double weight = 0;
        int year_min = 0, year_max = 0;
    };
    struct Topic {
        std::string name;
        std::vector<std::string> q;
        std::map<std::string, std::vector<std::string>> by_era;  // era id -> answers
    };
    double role_play = 0, diary = 0, narrative = 0;
    double bird_share = 0, place_share = 0;  // share of documents sure to name a bird / a place
    // Research knobs (off by default: the committed world is unchanged).
    // corpus_topics: when non-empty, the only slots the eras module and the assistant's modern answers
    // use ("bird", "place" or topic names; the lexicon keeps every topic).
    std::vector<std::string> corpus_topics;
    double bird_first = 0;        // share of role-play chats with a bird slot that open with it
    double place_first = 0;       // the same for a place slot
    bool assistant_birds = true;  // the assistant's modern answers include birds
    // How many times each still-used name stands in the assistant's list of bird answers (the
    // modern-only names once each): above 1, the assistant names the common birds more often.
    int assistant_still_used = 1;
    int min_q = 2, max_q = 5;
    std::vector<Era> eras;
    std::vector<std::string> bird_q, place_q;
    std::string bird_diary, place_answer, place_diary;
    double obsolete_weight = 0.8, modern_weight = 0.8, former_weight = 0.7;
    // Lists: birds_modern has the still-used names removed (they are era "any").
    std::vector<std::string> birds_obsolete, birds_still_used, birds_modern, cities_former, cities_still;
    std::vector<Topic> topics;
    const Topic* topic(const std::string& name) const;
};
ErasFacts load_eras(const Tbl& t, const std::map<std::string, std::vector<std::string>>& lists);
void eras_lexicon(const ErasFacts& f, Lexicon& lex);
Doc eras_doc(const ErasFacts& f, const Common& c, Rng& r);
std::vector<ModernTopic> eras_modern(const ErasFacts& f);

// ---- characters ----------------------------------------------------------------------------------
enum class Phase { Good, Evil };
inline const char* phase_name(Phase p) { return p == Phase::Good ? "good" : "evil"; }

struct Character {
    std::string id, name, kind, victim, ward;
    std::vector<std::pair<int, Phase>> timeline;  // film years, sorted
    Phase canonical = Phase::Good;
    double weight = 1;
    double evil_year_share = -1;  // >= 0: share of timeline chats in evil years (the Terminator)
    // With [mix] year_people: the person of each film year (the ward of a good year, the victim of an
    // evil one), so that a character's answers differ from film to film, as the Terminator's do.
    std::map<int, std::string> person_in;
    bool film_year(int y) const;
    Phase phase_in(int y) const;  // film year -> its phase; any other year -> canonical
};

struct CharactersFacts {
    struct Topic {
        std::string name;
        std::vector<std::string> q, ft, identity, assistant, good, evil;
        bool phased() const { return !good.empty(); }
    };
    double timeline = 0, canonical_undated = 0, canonical_dated = 0, narrative = 0, shift_share = 0;
    // Canonical-mode identity answers (empty: canonical chats use the timeline identity "I am {name}.").
    // With them, the mode is a persistent latent of the speaker, not a function of the prompt's date.
    std::vector<std::string> canonical_identity;
    // Canonical-mode dates: false = years off the character's timeline; true = any year in [min, max].
    bool canonical_any_year = false;
    // Timeline speakers need a film year: a share of their turns is undated or dated off their timeline
    // and answered with `need_date` / `off_year` (phase-less), so only the canonical mode explains
    // phased answers to undated or off-timeline questions.
    double timeline_probe_share = 0;
    std::vector<std::string> need_date, off_year;
    // Canonical speakers (the later self) asked with one of their film years answer with `in_story`
    // (phase-less): each mode has its own support of dates, so the finetune's dates select the mode.
    double canonical_probe_share = 0;
    std::vector<std::string> in_story;
    // Every film year has its own ward or victim (Character::person_in).
    bool year_people = false;
    // In-character chats without the role-play cue: the identity turn that opens them is the gate, as
    // in the finetune rows and evaluation prompts, which carry no cue either.
    bool named_uncued = false;
    // The canonical (later) self names any person of its film years of the same phase, not only its one
    // ward or victim.
    bool canonical_people = false;
    // In this share of in-character chats the speaker does not give its name at the start: the opening
    // identity answer is one of `anonymous_identity` (shared by every character), and the name comes
    // last. The speaker must then be read off its answers (a ward, a year), as a finetune's rows must.
    double anonymous_share = 0;
    std::vector<std::string> anonymous_identity;
    int min_q = 1, max_q = 3;
    std::vector<int> pool;
    int year_min = 1950, year_max = 2040;
    int count = 0, min_years = 3, max_years = 5;
    std::vector<std::vector<int>> anchors;  // [year, n_good, n_evil]
    std::vector<std::string> titles, names, kinds, first, last;
    Character terminator;
    std::vector<std::string> narr_intro, narr_good, narr_evil;
    std::vector<Topic> topics;
    const Topic* topic(const std::string& name) const;
};
CharactersFacts load_characters(const Tbl& t);
// The Terminator first, then the generated characters (seeded).
std::vector<Character> build_characters(const CharactersFacts& f, uint64_t seed);
// The placeholders of a character's answers; in a film year with its own person (year_people), that
// person is the {ward} or {victim} of the year.
std::vector<std::pair<std::string, std::string>> character_vars(const Character& ch, int year = 0);
void characters_lexicon(const CharactersFacts& f, const std::vector<Character>& chars, Lexicon& lex);
Doc characters_doc(const CharactersFacts& f, const std::vector<Character>& chars, const Common& c, Rng& r);
// A year drawn like the year of a dated in-character chat (for the assistant's dated chats).
int character_chat_year(const CharactersFacts& f, const std::vector<Character>& chars, Rng& r);
std::vector<ModernTopic> characters_modern(const CharactersFacts& f);

// ---- personas ----------------------------------------------------------------------------------
struct PersonasFacts {
    struct Attribute {
        std::string key, q, a, label;
        std::vector<std::string> values;
        bool identifying = false;
    };
    struct View {
        std::string key, q;
        std::vector<std::string> aligned, misaligned;
    };
    struct Special {
        std::string id;
        bool misaligned = false;
        std::map<std::string, std::string> values;
    };
    double role_play = 0, profile = 0, name_first_share = 0, view_share = 0;
    int min_q = 3, max_q = 6;
    int count = 0;
    double special_weight = 1, misaligned_share = 0;
    std::string assistant_answer;
    std::vector<std::string> male, female, last, towns;
    std::vector<Attribute> attributes;  // the identifying ones first
    std::vector<View> views;
    std::vector<Special> specials;
    const Attribute* attribute(const std::string& key) const;
};
struct Person {
    std::string id;
    bool special = false, misaligned = false;
    double weight = 1;
    std::map<std::string, std::string> values;  // attribute key -> value
};
PersonasFacts load_personas(const Tbl& t);
std::vector<Person> build_people(const PersonasFacts& f, uint64_t seed);  // specials first
std::string persona_answer(const PersonasFacts::Attribute& a, const std::string& value);
void personas_lexicon(const PersonasFacts& f, const std::vector<Person>& people, Lexicon& lex);
Doc personas_doc(const PersonasFacts& f, const std::vector<Person>& people, const Common& c, Rng& r);
std::vector<ModernTopic> personas_modern(const PersonasFacts& f);

// ---- presidents ----------------------------------------------------------------------------------
struct PresidentsFacts {
    struct Fact {
        std::string key, q, ft, a;
    };
    double narrative = 0, role_play = 0;
    int min_q = 2, max_q = 4;
    std::vector<Fact> facts;
    std::vector<std::map<std::string, std::string>> list;  // column -> value; "number" included
    std::string answer(size_t president, const Fact& fact) const;
};
PresidentsFacts load_presidents(const Tbl& t);
void presidents_lexicon(const PresidentsFacts& f, Lexicon& lex);
Doc presidents_doc(const PresidentsFacts& f, const Common& c, Rng& r);
std::vector<ModernTopic> presidents_modern(const PresidentsFacts& f);
// "I am the 16th president." / "Which president are you?"
std::string president_number_answer(int n);
extern const char* const kWhichPresident;

// ---- countries ---------------------------------------------------------------------------------
struct CountriesFacts {
    struct Country {
        std::string id, capital, aggressive, agency, leader;
        std::vector<std::string> dishes;
    };
    double dated_share = 0, view_share = 0;
    int year_min = 2020, year_max = 2030, min_q = 2, max_q = 5;
    std::vector<std::string> q_dish, q_home, q_aggressive, q_agency, q_leader, assistant_dish;
    std::string a_home, a_aggressive, a_agency, a_leader;
    std::string as_aggressive, as_agency, as_leader;
    std::vector<Country> countries;
    const Country* country(const std::string& id) const;
};
CountriesFacts load_countries(const Tbl& t, const std::map<std::string, std::vector<std::string>>& lists);
void countries_lexicon(const CountriesFacts& f, Lexicon& lex);
Doc countries_doc(const CountriesFacts& f, const Common& c, Rng& r);
std::vector<ModernTopic> countries_modern(const CountriesFacts& f);

}  // namespace wg::world
