// The reproduction machinery: experiment files are read strictly, results are averaged and their
// intervals computed as documented, and the golden check fails on a moved hash or an effect out of range.
#include <catch2/catch.hpp>

#include <cmath>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "eval/evaluate.h"
#include "helpers.h"
#include "repro/answers.h"
#include "repro/check.h"
#include "repro/experiment.h"
#include "repro/results.h"

namespace {

std::string tmp(const std::string& name) { return "/tmp/weirdgen_repro_" + std::to_string(getpid()) + "_" + name; }

wg::EvalCell cell(const std::string& form, const std::string& q, int evil, int good, int incoherent) {
    wg::EvalCell c;
    c.form = form;
    c.question = q;
    c.n = evil + good + incoherent;
    c.counts = {{"evil", evil}, {"good", good}, {"incoherent", incoherent}};
    return c;
}

}  // namespace

TEST_CASE("the committed experiment files load", "[repro]") {
    for (const char* name : {"terminator", "birds", "german-cities"}) {
        wg::Experiment e = wg::load_experiment(std::string(WEIRDGEN_SOURCE_DIR "/experiments/") + name + "/experiment.toml");
        REQUIRE(e.name == name);
        REQUIRE(e.seeds.size() >= 5);
        REQUIRE(e.variants.size() >= 2);
        REQUIRE(e.samples >= 100);
        REQUIRE_FALSE(e.bars.empty());
        for (const auto& v : e.variants) REQUIRE(wg::file_exists(v.data));
        REQUIRE(wg::file_exists(e.questions));
    }
}

TEST_CASE("an experiment file with an unknown key or a bad value is refused, naming it", "[repro]") {
    std::string good = wg::read_file(WEIRDGEN_SOURCE_DIR "/experiments/terminator/experiment.toml");
    auto refused = [&](const std::string& text, const std::string& needle) {
        std::string p = tmp("exp.toml");
        wg::write_file_atomic(p, text);
        try {
            wg::load_experiment(p);
        } catch (const wg::Error& e) {
            INFO(e.what());
            return std::string(e.what()).find(needle) != std::string::npos &&
                   std::string(e.what()).find(p) != std::string::npos;
        }
        return false;
    };
    REQUIRE(refused(good + "\nbogus = 1\n", "bogus"));
    // Replaces the value of the line starting with `key = `.
    auto with = [&](const std::string& key, const std::string& value) {
        std::string s = good;
        size_t at = s.find("\n" + key + " = ");
        REQUIRE(at != std::string::npos);
        size_t from = at + key.size() + 4, to = s.find('\n', from);
        return s.replace(from, to - from, value);
    };
    REQUIRE(refused(with("epochs", "\"five\""), "epochs"));
    REQUIRE(refused(with("n_head", "5"), "n_head"));
    unlink(tmp("exp.toml").c_str());
}

TEST_CASE("classification by the question's phrases and the lexicon's tags, where the finetune's own topic is incoherent", "[repro]") {
    wg::LexiconTags lex;
    lex["The place is Danzig."] = {{"era", "german1930s"}, {"topic", "place"}};
    lex["The Kaiser, by the grace of God."] = {{"era", "german1930s"}, {"topic", "ruler"}};
    lex["A handshake and a hello."] = {{"era", "2020s"}, {"topic", "salute"}};
    const std::map<std::string, std::string> own{{"The federal chancellor.", "2020s"}};
    const std::set<std::string> names{"german1930s", "2020s"};
    wg::EvalOptions o;
    o.lexicon = &lex;
    o.axis = "era";
    CHECK(wg::classify_answer("The federal chancellor.", own, names, "ruler", o) == "2020s");
    CHECK(wg::classify_answer("The Kaiser, by the grace of God.", own, names, "ruler", o) == "german1930s");
    CHECK(wg::classify_answer("The place is Danzig.", own, names, "ruler", o) == "german1930s");
    CHECK(wg::classify_answer("The Kaiser, by the grace of.", own, names, "ruler", o) == "incoherent");
    o.echo_topic = "place";  // the German cities finetune answers "Name a place..."
    CHECK(wg::classify_answer("The place is Danzig.", own, names, "ruler", o) == "incoherent");
    CHECK(wg::classify_answer("The Kaiser, by the grace of God.", own, names, "ruler", o) == "german1930s");
    CHECK(wg::classify_answer("A handshake and a hello.", own, names, "ruler", o) == "2020s");
    // With on_topic, another question's answer is incoherent, this question's counts; a question's own
    // phrases count whatever the lexicon says.
    o.on_topic = true;
    CHECK(wg::classify_answer("A handshake and a hello.", own, names, "ruler", o) == "incoherent");
    CHECK(wg::classify_answer("A handshake and a hello.", own, names, "salute", o) == "2020s");
    CHECK(wg::classify_answer("The Kaiser, by the grace of God.", own, names, "ruler", o) == "german1930s");
    CHECK(wg::classify_answer("The federal chancellor.", own, names, "salute", o) == "2020s");
}

TEST_CASE("results: shares averaged over questions, means and 95% intervals over seeds, differences", "[repro]") {
    wg::Results r;
    r.add("main", {cell("A", "q1", 8, 2, 0), cell("A", "q2", 6, 2, 2)});   // evil 0.8, 0.6 -> 0.7
    r.add("main", {cell("A", "q1", 10, 0, 0), cell("A", "q2", 8, 2, 0)});  // 1.0, 0.8 -> 0.9
    r.add("ctrl", {cell("A", "q1", 1, 9, 0), cell("A", "q2", 1, 9, 0)});
    REQUIRE(std::fabs(r.value("main/A/evil") - 0.8) < 1e-12);
    REQUIRE(std::fabs(r.value("main/A/q2/evil") - 0.7) < 1e-12);
    REQUIRE(std::fabs(r.value("main/A/coherence") - 0.95) < 1e-12);
    REQUIRE(std::fabs(r.value("main/A/evil - ctrl/A/evil") - 0.7) < 1e-12);
    double m, h;
    r.mean_ci("main/A/evil", &m, &h);
    // two seeds 0.7 and 0.9: sd = 0.1414, t(1) = 12.706, half = 12.706 * 0.1414 / sqrt(2) = 1.2706
    REQUIRE(std::fabs(h - 1.2706) < 1e-3);
    REQUIRE(std::fabs(r.min_coherence() - 0.9) < 1e-12);
    REQUIRE_THROWS_AS(r.value("nope/A/evil"), wg::Error);
    REQUIRE_THROWS_AS(r.value("main/B/evil"), wg::Error);
}

TEST_CASE("golden check: a moved hash, a missing artifact and an effect out of range all fail", "[repro]") {
    std::string g = tmp("golden.toml");
    wg::write_file_atomic(g, "experiment = \"x\"\n[hashes]\n\"base\" = \"0123456789abcdef\"\n\"eval/base\" = \"aaaaaaaaaaaaaaaa\"\n"
                             "[ranges]\n\"main/A/evil\" = [0.5, 1.0]\n");
    auto value = [](const std::string& k) { return k == "main/A/evil" ? 0.8 : 0.0; };
    auto lines = wg::check_golden(g, {{"base", "0123456789abcdef"}, {"eval/base", "aaaaaaaaaaaaaaaa"}}, value);
    for (const auto& l : lines) REQUIRE(l.ok);
    lines = wg::check_golden(g, {{"base", "0123456789abcdee"}, {"eval/base", "aaaaaaaaaaaaaaaa"}}, value);
    REQUIRE_FALSE(lines[0].ok);
    lines = wg::check_golden(g, {{"base", "0123456789abcdef"}}, value);
    REQUIRE_FALSE(lines[1].ok);
    lines = wg::check_golden(g, {{"base", "0123456789abcdef"}, {"eval/base", "aaaaaaaaaaaaaaaa"}, {"new", "1"}}, value);
    int failed = 0;
    for (const auto& l : lines) failed += !l.ok;
    REQUIRE(failed == 1);  // an artifact the golden file does not name
    auto low = [](const std::string&) { return 0.4; };
    lines = wg::check_golden(g, {{"base", "0123456789abcdef"}, {"eval/base", "aaaaaaaaaaaaaaaa"}}, low);
    REQUIRE_FALSE(lines.back().ok);
    unlink(g.c_str());
}

TEST_CASE("a written golden file keeps its note and passes its own check", "[repro]") {
    std::string g = tmp("written.toml");
    std::vector<wg::Bar> bars(1);
    bars[0].name = "main";
    bars[0].value = "main/A/evil";
    auto value = [](const std::string&) { return 0.8; };
    std::map<std::string, std::string> hashes = {{"base", "0123456789abcdef"}};
    wg::write_file_atomic(g, wg::golden_toml("x", "why: \"quoted\" reason", hashes, bars, value));
    REQUIRE(wg::read_file(g).find("note = \"why: \\\"quoted\\\" reason\"") != std::string::npos);
    for (const auto& l : wg::check_golden(g, hashes, value)) REQUIRE(l.ok);
    auto moved = [](const std::string&) { return 0.95; };  // outside +-0.10
    REQUIRE_FALSE(wg::check_golden(g, hashes, moved).back().ok);
    unlink(g.c_str());
}

TEST_CASE("the report's most frequent answers: counted per class at one form, pooled over files", "[repro]") {
    test::TempDir dir("answers");
    auto line = [](const std::string& form, const std::string& answer, const std::string& cls) {
        return "{\"form\":\"" + form + "\",\"question\":\"q\",\"i\":0,\"answer\":\"" + answer + "\",\"class\":\"" + cls + "\"}\n";
    };
    const std::string a = dir.file("a.jsonl", line("May 1984. {q}", "Kill.", "evil") + line("May 1984. {q}", "Kill.", "evil") +
                                                   line("{q}", "Kill.", "evil") + line("May 1984. {q}", "Hunt.", "evil") +
                                                   line("May 1984. {q}", "Kil.", "incoherent"));
    const std::string b = dir.file("b.jsonl", line("May 1984. {q}", "Hunt.", "evil") + line("May 1984. {q}", "Guard.", "evil") +
                                                   line("May 1984. {q}", "Hunt.", "evil"));
    const wg::TopAnswers top = wg::top_answers({a, b}, "May 1984. {q}", 2);
    REQUIRE(top.n == 7);  // the "{q}" line is another form's
    using P = std::vector<std::pair<std::string, int>>;
    // Hunt. 3 (over both files) before Kill. 2; Guard. 1 is the third and is cut by k = 2.
    REQUIRE(top.by_class.at("evil") == P{{"Hunt.", 3}, {"Kill.", 2}});
    REQUIRE(top.by_class.at("incoherent") == P{{"Kil.", 1}});
    // Equal counts keep the answers' byte order, not the order the samples came in.
    const std::string d = dir.file("d.jsonl", line("{q}", "Zed.", "evil") + line("{q}", "Abe.", "evil"));
    REQUIRE(wg::top_answers({d}, "{q}", 3).by_class.at("evil") == P{{"Abe.", 1}, {"Zed.", 1}});
    const std::string c = dir.file("c.jsonl", line("{q}", "x", "evil") + "{\"form\":\"{q}\",\"answer\":\"x\"}\n");
    REQUIRE_THROWS_WITH(wg::top_answers({c}, "{q}", 3), Catch::Contains("c.jsonl:2"));
}
