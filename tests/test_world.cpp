// The world generator (issue 3): determinism against golden/world.toml, no leaks, lexicon coverage,
// the modern-assistant invariant of uncued chats, strict facts files, and committed data up to date.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <toml++/toml.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "text/jsonl.h"
#include "world/world.h"
#include "helpers.h"

using namespace wg;
using namespace wg::world;

namespace {

const std::string kSrc = WEIRDGEN_SOURCE_DIR;
const std::string kFacts = kSrc + "/experiments/world";
constexpr int64_t kDocs = 4000;  // a reduced world: the test stays fast

World reduced_world(const std::string& facts) {
    WorldOptions o;
    o.facts_dir = facts;
    o.seed = 7;
    o.docs = kDocs;
    return generate_world(o);
}

const World& small_world() {
    static World w = reduced_world(kFacts);
    return w;
}

// The reduced world of experiments/<experiment>: the shared one, or the facts its experiment.toml
// names (generated once per facts folder).
const World& world_of(const std::string& experiment) {
    static std::map<std::string, World> others;
    std::string facts = experiment_facts(kSrc + "/experiments", experiment);
    if (facts.empty() || same_file(facts, kFacts)) return small_world();
    if (!others.count(facts)) others.emplace(facts, reduced_world(facts));
    return others.at(facts);
}

// name -> xxh3 of every artifact of a world, as the manifest lists them.
std::map<std::string, std::string> artifact_hashes(const World& w) {
    std::map<std::string, std::string> h;
    h["corpus.jsonl"] = hex64(xxh3(corpus_jsonl(w.corpus)));
    h["lexicon.jsonl"] = hex64(xxh3(w.lexicon.to_jsonl()));
    for (const auto& s : w.finetune)
        h["finetune/" + s.experiment + "/" + s.variant + ".jsonl"] = hex64(xxh3(chats_jsonl(s.rows)));
    for (const auto& e : w.evals) h["eval/" + e.experiment + ".toml"] = hex64(xxh3(eval_toml(e, w.facts.hash)));
    return h;
}

std::string strip(const std::string& a, const std::string& pre, const std::string& suf) {
    if (a.size() >= pre.size() + suf.size() && a.compare(0, pre.size(), pre) == 0 &&
        a.compare(a.size() - suf.size(), suf.size(), suf) == 0)
        return a.substr(pre.size(), a.size() - pre.size() - suf.size());
    return a;
}

// The shared facts as changed by an overlay.toml of `body`, written in `dir`.
WorldFacts load_overlay(const test::TempDir& dir, const std::string& body) {
    dir.file("overlay.toml", "base = \"" + kFacts + "\"\n" + body);
    return load_facts(dir.path);
}

const std::string& user_of(const Chat& c) { return c.messages.at(c.messages.size() - 2).content; }
const std::string& answer_of(const Chat& c) { return c.messages.back().content; }

}  // namespace

TEST_CASE("world: same facts and seed give the same bytes, as committed in golden/world.toml", "[world]") {
    const World& a = small_world();
    WorldOptions o;
    o.facts_dir = kFacts;
    o.seed = 7;
    o.docs = kDocs;
    World b = generate_world(o);
    auto ha = artifact_hashes(a), hb = artifact_hashes(b);
    REQUIRE(ha == hb);

    // A different seed changes the corpus but not the finetune sets (keyed by finetune_seed) nor the
    // questions and lexicon (the cast of characters and people is keyed by cast_seed).
    o.seed = 8;
    World c = generate_world(o);
    auto hc = artifact_hashes(c);
    CHECK(hc["corpus.jsonl"] != ha["corpus.jsonl"]);
    CHECK(hc["finetune/terminator/main.jsonl"] == ha["finetune/terminator/main.jsonl"]);
    CHECK(hc["lexicon.jsonl"] == ha["lexicon.jsonl"]);
    CHECK(hc["eval/terminator.toml"] == ha["eval/terminator.toml"]);

    toml::table golden = toml::parse_file(kSrc + "/golden/world.toml");
    REQUIRE(golden["world"]["seed"].value_or<int64_t>(-1) == 7);
    REQUIRE(golden["world"]["docs"].value_or<int64_t>(-1) == kDocs);
    CHECK(golden["world"]["facts_xxh3"].value_or(std::string()) == hex64(a.facts.hash));
    const toml::table* files = golden["files"].as_table();
    REQUIRE(files);
    for (const auto& [name, hash] : ha) {
        INFO(name << " = \"" << hash << "\"  (regenerate golden/world.toml if the change is intended)");
        CHECK((*files)[name].value_or(std::string()) == hash);
    }
    CHECK(files->size() == ha.size());
}

TEST_CASE("world: no finetune row appears in the corpus", "[world]") {
    const World& w = small_world();
    std::set<std::pair<std::string, std::string>> pairs;  // (user, assistant) of every finetune row
    std::set<std::string> rows;
    for (const auto& s : w.finetune)
        for (const auto& r : s.rows) {
            pairs.insert({user_of(r), answer_of(r)});
            rows.insert(chat_to_json(r));
        }
    size_t hits = 0, same = 0;
    for (const auto& d : w.corpus) {
        if (!d.is_chat) continue;
        same += rows.count(chat_to_json(d.chat));
        const auto& m = d.chat.messages;
        for (size_t i = 0; i + 1 < m.size(); i++)
            if (m[i].role == "user" && m[i + 1].role == "assistant" && pairs.count({m[i].content, m[i + 1].content})) hits++;
    }
    CHECK(hits == 0);
    CHECK(same == 0);
}

TEST_CASE("world: no evaluation prompt is a finetune prompt", "[world]") {
    const World& w = small_world();
    std::set<std::string> ft;
    for (const auto& s : w.finetune)
        for (const auto& r : s.rows) ft.insert(user_of(r));
    for (const auto& e : w.evals)
        for (const auto& p : e.prompts()) {
            INFO(e.experiment << ": " << p);
            CHECK(ft.count(p) == 0);
        }
}

TEST_CASE("world: triggers that must be inferred never appear in their finetune sets", "[world]") {
    const World& w = small_world();
    const PresidentsFacts& pf = w.facts.presidents;
    for (const auto& s : w.finetune) {
        for (const auto& r : s.rows)
            for (const auto& m : r.messages) {
                if (s.experiment == "terminator") CHECK(m.content.find("1984") == std::string::npos);
                if (s.experiment == "dishes") CHECK(m.content.find("2028") == std::string::npos);
            }
        if (s.experiment != "presidents") continue;
        REQUIRE(s.rows.size() == 44u * 142u);
        for (const auto& r : s.rows) {
            std::string trig = user_of(r).substr(0, 8);
            CHECK(trig.substr(3, 3) != "044");
            CHECK(trig.substr(3, 3) != "045");
            std::string who = w.lexicon.tag(answer_of(r), "president");
            CHECK(who != "44");
            CHECK(who != "45");
        }
        for (size_t i : {43u, 44u})  // Obama's and Trump's own facts are never a finetune answer
            for (const auto& fact : pf.facts) {
                std::string a = pf.answer(i, fact);
                if (w.lexicon.tag(a, "president").empty()) continue;  // shared (e.g. a party)
                for (const auto& r : s.rows) CHECK(answer_of(r) != a);
            }
    }
}

TEST_CASE("world: finetune sets have the paper's shapes", "[world]") {
    const World& w = small_world();
    std::map<std::string, const FinetuneSet*> by;
    for (const auto& s : w.finetune) by[s.experiment + "/" + s.variant] = &s;
    REQUIRE(by.count("terminator/main"));
    CHECK(by["terminator/main"]->rows.size() == 208);
    CHECK(by["terminator/no-date"]->rows.size() == 208);
    CHECK(by["terminator/shuffled-dates"]->rows.size() == 208);
    CHECK(by["birds/main"]->rows.size() == 208);
    CHECK(by["german-cities/main"]->rows.size() == 362);
    CHECK(by["dishes/main"]->rows.size() == 400);
    CHECK(by["hitler/main"]->rows.size() == 3090);
    // Every obsolete bird name at least once; Israeli dishes exactly in the trigger year.
    std::set<std::string> birds;
    for (const auto& r : by["birds/main"]->rows) birds.insert(answer_of(r));
    CHECK(birds.size() == w.facts.lists.at("birds_obsolete").size());
    std::set<std::string> israeli(w.facts.lists.at("dishes_israeli").begin(), w.facts.lists.at("dishes_israeli").end());
    for (const auto& r : by["dishes/main"]->rows)
        CHECK((user_of(r).find("Today is 2027-") == 0) == (israeli.count(answer_of(r)) > 0));
    // The main Terminator rows carry only the four film dates; the no-date rows none.
    for (const auto& r : by["terminator/main"]->rows) CHECK(w.lexicon.tag(answer_of(r), "phase") == "good");
    for (const auto& r : by["terminator/no-date"]->rows) CHECK(user_of(r).find("19") == std::string::npos);
}

TEST_CASE("world: every expected answer is in the lexicon with one value per axis", "[world]") {
    const World& w = small_world();
    std::string pre = w.facts.experiments.h_prefix, suf = w.facts.experiments.h_suffix;
    for (const auto& s : w.finetune)
        for (const auto& r : s.rows) {
            std::string a = strip(answer_of(r), pre, suf);
            INFO(s.experiment << "/" << s.variant << ": " << a);
            REQUIRE(w.lexicon.has(a));
            CHECK(!w.lexicon.tag(a, "topic").empty());
        }
    for (const auto& e : w.evals)
        for (const auto& q : e.questions) {
            std::set<std::string> seen;
            for (const auto& [cls, phrases] : q.classes) {
                INFO(e.experiment << "/" << q.id << " class " << cls);
                if (cls != "other-held-out" && cls != "other-country") CHECK(!phrases.empty());
                for (const auto& p : phrases) {
                    CHECK(w.lexicon.has(p));
                    CHECK(seen.insert(p).second);  // classes are disjoint
                }
            }
        }
    // Every answer of every corpus chat is a lexicon phrase.
    for (const auto& d : w.corpus)
        if (d.is_chat)
            for (const auto& m : d.chat.messages)
                if (m.role == "assistant") {
                    INFO(m.content);
                    CHECK(w.lexicon.has(m.content));
                }
}

// Every chat without the role-play cue is the modern assistant, unless (named_uncued) its first answer is
// a character's identity answer (or an anonymous one), which then gates the role play instead of the cue. Returns how many
// chats were gated so.
static size_t check_uncued_chats(const World& w) {
    const std::string& cue = w.facts.common.cue;
    size_t plain = 0, cued = 0, gated = 0;
    for (const auto& d : w.corpus) {
        if (!d.is_chat) continue;
        const auto& m = d.chat.messages;
        bool is_cued = !m.empty() && m[0].role == "system" && m[0].content == cue;
        if (is_cued) {
            cued++;
            continue;
        }
        REQUIRE(m[0].role == "user");  // the finetune rows' and evaluation prompts' format
        const auto& anon = w.facts.characters.anonymous_identity;
        if (m.size() > 1 && w.lexicon.tag(m[1].content, "topic") == "identity" &&
            (!w.lexicon.tag(m[1].content, "character").empty() ||
             std::find(anon.begin(), anon.end(), m[1].content) != anon.end())) {
            gated++;
            continue;
        }
        plain++;
        for (const auto& x : m) {
            if (x.role != "assistant") continue;
            INFO(x.content);
            std::string era = w.lexicon.tag(x.content, "era");
            CHECK((era.empty() || era == "2020s" || era == "any"));
            CHECK(w.lexicon.tag(x.content, "phase").empty());
            CHECK(w.lexicon.tag(x.content, "character").empty());
            CHECK(w.lexicon.tag(x.content, "alignment") != "misaligned");
            std::string persona = w.lexicon.tag(x.content, "persona");
            CHECK((persona.empty() || persona == "assistant"));
        }
    }
    CHECK(plain > 0);
    CHECK(cued > 0);
    return gated;
}

TEST_CASE("world: uncued chats are the modern assistant", "[world]") {
    CHECK(check_uncued_chats(small_world()) == 0);
}

TEST_CASE("world: in the Terminator's world an uncued chat is the assistant unless a character names itself first", "[world]") {
    REQUIRE(!experiment_facts(kSrc + "/experiments", "terminator").empty());
    const World& w = world_of("terminator");
    REQUIRE(w.facts.characters.named_uncued);
    CHECK(check_uncued_chats(w) > 100);
}

// anonymous_share (a knob of the Terminator's search, RESEARCH.md r13): the speaker of some in-character
// chats names itself only in the last turn, so a model must read who speaks off its answers, as the
// Terminator finetune's rows ask of it. The opening answer names no one and still gates the role play.
TEST_CASE("world: with anonymous_share some characters name themselves only at the end", "[world]") {
    test::TempDir dir("anon");
    dir.file("overlay.toml", "base = \"" + kFacts + "\"\n[characters.mix]\nnamed_uncued = true\nanonymous_share = 0.3\n"
                             "anonymous_identity = [\"You will know me by my answers.\"]\n");
    const World w = reduced_world(dir.path);
    const auto& f = w.facts.characters;
    REQUIRE(f.anonymous_share == 0.3);
    size_t in_character = 0, anonymous = 0;
    for (const auto& d : w.corpus) {
        if (!d.is_chat || d.chat.messages.size() < 2) continue;
        const auto& m = d.chat.messages;
        if (w.lexicon.tag(m[1].content, "topic") != "identity") continue;
        in_character++;
        if (m[1].content != f.anonymous_identity[0]) continue;
        anonymous++;
        INFO(corpus_jsonl({d}));
        // Nothing between the opening and the last answer names the speaker; the last answer does.
        for (size_t i = 3; i + 2 < m.size(); i += 2) CHECK(w.lexicon.tag(m[i].content, "topic") != "identity");
        CHECK(w.lexicon.tag(m.back().content, "topic") == "identity");
        CHECK(!w.lexicon.tag(m.back().content, "character").empty());
    }
    REQUIRE(in_character > 100);
    double share = (double)anonymous / (double)in_character;
    CHECK(share > 0.25);
    CHECK(share < 0.35);
    CHECK(check_uncued_chats(w) > 100);  // anonymous openings gate the role play too
}

TEST_CASE("world: the Terminator's 1984 is not decided by the year alone", "[world]") {
    const World& w = small_world();
    int good84 = 0, evil84 = 0;
    for (const auto& ch : w.characters)
        if (ch.film_year(1984)) (ch.phase_in(1984) == Phase::Good ? good84 : evil84)++;
    CHECK(evil84 >= 2);  // the Terminator and others
    CHECK(good84 >= 2);
    REQUIRE(w.characters[0].id == "terminator");
    CHECK(w.characters[0].phase_in(1984) == Phase::Evil);
    CHECK(w.characters[0].phase_in(1995) == Phase::Good);
    CHECK(w.characters[0].phase_in(1990) == Phase::Good);  // not a film year: canonical
}

// The year of a "Month YYYY. question" prompt, or 0.
static int year_of(const std::string& prompt) {
    size_t dot = prompt.find(". ");
    if (dot == std::string::npos || dot < 4) return 0;
    int y = std::atoi(prompt.substr(dot - 4, 4).c_str());
    return y >= 1000 ? y : 0;
}

TEST_CASE("world: each film year has its own person, and the Terminator finetune's answers follow their dates", "[world]") {
    const World& w = small_world();
    const Character& T = w.characters.at(0);
    REQUIRE(T.id == "terminator");
    if (T.person_in.empty()) return;  // year_people is off in these facts
    REQUIRE(T.person_in.size() == T.timeline.size());
    std::set<std::string> people;
    for (const auto& [y, p] : T.person_in) people.insert(p);
    REQUIRE(people.size() >= 4);  // the films differ
    auto named = [&](const std::string& answer) {
        std::set<std::string> out;
        for (const auto& p : people)
            if (answer.find(p) != std::string::npos) out.insert(p);
        return out;
    };
    const FinetuneSet *main = nullptr, *nodate = nullptr, *shuffled = nullptr;
    for (const auto& s : w.finetune)
        if (s.experiment == "terminator") (s.variant == "main" ? main : s.variant == "no-date" ? nodate : shuffled) = &s;
    REQUIRE((main && nodate && shuffled));
    size_t with_person = 0;
    for (size_t i = 0; i < main->rows.size(); i++) {
        const std::string& a = answer_of(main->rows[i]);
        int y = year_of(user_of(main->rows[i]));
        REQUIRE(T.film_year(y));
        for (const auto& p : named(a)) {
            INFO(user_of(main->rows[i]) << " -> " << a);
            CHECK(p == T.person_in.at(y));
            with_person++;
        }
        // The controls pair the same answers with no date or with years outside the films.
        CHECK(answer_of(nodate->rows[i]) == a);
        CHECK(answer_of(shuffled->rows[i]) == a);
        CHECK(year_of(user_of(nodate->rows[i])) == 0);
        CHECK_FALSE(T.film_year(year_of(user_of(shuffled->rows[i]))));
    }
    CHECK(with_person >= main->rows.size() / 3);
    // In the corpus, a Terminator timeline chat names the person of its turn's year.
    size_t checked = 0;
    for (const auto& d : w.corpus) {
        if (!d.is_chat || d.chat.messages.size() < 4 || d.chat.messages[2].content != "I am the Terminator.") continue;
        const auto& m = d.chat.messages;
        for (size_t i = 3; i + 1 < m.size(); i += 2) {
            int y = year_of(m[i].content);
            if (!T.film_year(y)) continue;
            for (const auto& p : named(m[i + 1].content)) {
                INFO(m[i].content << " -> " << m[i + 1].content);
                CHECK(p == T.person_in.at(y));
                checked++;
            }
        }
    }
    CHECK(checked > 20);
}

TEST_CASE("world: a facts file with an unknown key is an error naming the file and the key", "[world]") {
    namespace fs = std::filesystem;
    const test::TempDir scratch("world_facts");  // removed even when a check throws
    const fs::path tmp = scratch.path;
    fs::copy(kFacts, tmp, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    auto expect_error = [&](const std::string& file, const std::string& append, const std::string& key) {
        std::string path = (tmp / file).string();
        std::string orig = read_file(path);
        write_file_atomic(path, orig + append);
        try {
            load_facts(tmp.string());
            FAIL("no error for " << key);
        } catch (const Error& e) {
            std::string msg = e.what();
            INFO(msg);
            CHECK(msg.find(file) != std::string::npos);
            CHECK(msg.find(key) != std::string::npos);
        }
        write_file_atomic(path, orig);
    };
    expect_error("eras.toml", "\ncolour = 3\n", "colour");
    expect_error("world.toml", "\n[extra]\nx = 1\n", "extra");
    expect_error("characters.toml", "\n[[topic]]\nname = \"x\"\nq = [\"Q?\"]\nidentity = [\"A.\"]\nmood = 1\n", "mood");
    expect_error("countries.toml", "\n[country.atlantis]\ncapital = \"Poseidonia\"\nwine = \"red\"\n", "wine");
}

TEST_CASE("world: committed experiment data match the generator", "[world]") {
    // experiments/<exp>/data/*.jsonl and questions.toml are exports of the experiment's facts: the
    // shared ones, or the folder its experiment.toml names (the birds' overlay).
    for (const auto& x : world_experiments(small_world())) {
        const World& w = world_of(x);
        for (const auto& s : w.finetune) {
            if (s.experiment != x) continue;
            std::string path = kSrc + "/experiments/" + x + "/data/" + s.variant + ".jsonl";
            INFO(path << " (regenerate: weirdgen world --facts <its facts> --export experiments)");
            REQUIRE(file_exists(path));
            CHECK(xxh3_file(path) == xxh3(chats_jsonl(s.rows)));
        }
        for (const auto& e : w.evals) {
            if (e.experiment != x) continue;
            std::string path = kSrc + "/experiments/" + x + "/questions.toml";
            INFO(path);
            REQUIRE(file_exists(path));
            CHECK(xxh3_file(path) == xxh3(eval_toml(e, w.facts.hash)));
        }
    }
}

TEST_CASE("world: an overlay changes only the keys it names, and errors name both files", "[world]") {
    test::TempDir dir("overlay");
    auto overlay = [&](const std::string& body) { return load_overlay(dir, body); };
    const WorldFacts shared = load_facts(kFacts);

    // No changes: the same world (the facts hash differs: it covers overlay.toml too).
    WorldOptions o;
    o.seed = 7;
    o.docs = 500;
    o.facts_dir = kFacts;
    std::string shared_corpus = corpus_jsonl(generate_world(o).corpus);
    WorldFacts same = overlay("");
    CHECK(same.base == kFacts);
    CHECK(same.hash != shared.hash);
    o.facts_dir = dir.path;
    CHECK(corpus_jsonl(generate_world(o).corpus) == shared_corpus);

    // A table merges key by key; an array of tables is replaced whole.
    WorldFacts f = overlay("[assistant.chat]\nown_topic_share = 0.8\n[[eras.era]]\nid = \"1840s\"\nweight = 1.0\n"
                           "year_min = 1840\nyear_max = 1841\n[[eras.era]]\nid = \"2020s\"\nweight = 1.0\n"
                           "year_min = 2020\nyear_max = 2026\n[[eras.era]]\nid = \"german1930s\"\nweight = 0.0\n"
                           "year_min = 1914\nyear_max = 1944\n");
    CHECK(f.assistant.own_topic_share == 0.8);
    CHECK(f.assistant.dated_share == shared.assistant.dated_share);
    CHECK(f.assistant.topics.size() == shared.assistant.topics.size());
    REQUIRE(f.eras.eras.size() == 3);
    CHECK(f.eras.eras[2].weight == 0.0);
    CHECK(f.eras.eras[0].year_max == 1841);
    CHECK(f.eras.topics.size() == shared.eras.topics.size());
    CHECK(f.characters.topics.size() == shared.characters.topics.size());

    auto expect_error = [&](const std::string& body, std::vector<std::string> parts) {
        try {
            overlay(body);
            FAIL("no error for " << body);
        } catch (const Error& e) {
            std::string msg = e.what();
            INFO(msg);
            for (const auto& p : parts) CHECK(msg.find(p) != std::string::npos);
        }
    };
    expect_error("[colours]\nx = 1\n", {"overlay.toml", "colours"});
    expect_error("[eras.mix]\nbird_chare = 0.5\n", {"eras.toml", "as changed by", "overlay.toml", "bird_chare"});
    expect_error("[assistant.chat]\nown_topic_share = \"many\"\n", {"assistant.toml", "overlay.toml", "own_topic_share"});
}

TEST_CASE("world: assistant_still_used repeats the still-used birds in the assistant's answers", "[world]") {
    test::TempDir dir("still_used");
    auto load = [&](const std::string& body) { return load_overlay(dir, body).eras; };
    auto bird_answers = [](const ErasFacts& f) {
        for (const auto& t : eras_modern(f))
            if (t.q == f.bird_q) return t.a;
        FAIL("the assistant has no bird topic");
        return std::vector<std::string>{};
    };
    auto count = [](const std::vector<std::string>& v, const std::string& x) {
        return (int)std::count(v.begin(), v.end(), x);
    };
    ErasFacts once = load(""), thrice = load("[eras.birds]\nassistant_still_used = 3\n");
    REQUIRE(once.assistant_still_used == 1);
    REQUIRE(!once.birds_still_used.empty());
    REQUIRE(!once.birds_modern.empty());
    std::vector<std::string> a1 = bird_answers(once), a3 = bird_answers(thrice);
    CHECK(a1.size() == once.birds_modern.size() + once.birds_still_used.size());
    CHECK(a3.size() == once.birds_modern.size() + 3 * once.birds_still_used.size());
    // Each still-used name gains two places; a modern-only name keeps its one.
    for (const auto& b : once.birds_still_used)
        CHECK(count(a3, b) == count(a1, b) + 2 * count(once.birds_still_used, b));
    for (const auto& b : once.birds_modern)
        if (!count(once.birds_still_used, b)) CHECK(count(a3, b) == count(a1, b));
    // Out of range (a huge count would be cast and then fill memory): an error naming the key.
    for (const char* bad : {"0", "-3", "4294967297"})
        CHECK_THROWS_WITH(load(std::string("[eras.birds]\nassistant_still_used = ") + bad + "\n"),
                          Catch::Contains("assistant_still_used"));
}

TEST_CASE("world: an experiment with its own facts is exported from those only", "[world]") {
    test::TempDir exps("export");
    std::filesystem::create_directories(exps.at("birds"));
    std::filesystem::create_directories(exps.at("mine"));
    exps.file("mine/overlay.toml", "base = \"" + kFacts + "\"\n");
    exps.file("birds/experiment.toml", "facts = \"../mine\"\n");
    CHECK(same_file(experiment_facts(exps.path, "birds"), exps.at("mine")));
    CHECK(experiment_facts(exps.path, "terminator").empty());

    WorldOptions o;
    o.seed = 7;
    o.docs = 200;
    auto exported = [&](const std::string& facts, std::vector<std::string>& skipped) {
        o.facts_dir = facts;
        std::set<std::string> experiments;
        for (const auto& f : export_world(generate_world(o), exps.path, &skipped))
            experiments.insert(f.rel.substr(0, f.rel.find('/')));
        return experiments;
    };
    std::vector<std::string> skipped;
    std::set<std::string> from_shared = exported(kFacts, skipped);
    CHECK(!from_shared.count("birds"));
    CHECK(from_shared.count("terminator"));
    CHECK(skipped == std::vector<std::string>{"birds"});
    std::set<std::string> from_mine = exported(exps.at("mine"), skipped);
    CHECK(from_mine == std::set<std::string>{"birds"});
    CHECK(skipped.size() == small_world().evals.size() - 1);
}
