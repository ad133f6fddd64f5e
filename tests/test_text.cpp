// Tests of src/text: the JSONL readers and writers, the BPE tokenizer, the chat encoding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "core/rng.h"
#include "helpers.h"
#include "text/jsonl.h"
#include "text/tokenizer.h"

using namespace wg;
namespace fs = std::filesystem;

namespace {

// One folder for the test process, removed at exit.
const test::TempDir& tmp() {
    static test::TempDir d("text");
    return d;
}

// The message of the wg::Error that fn throws ("" if it throws none).
template <class Fn>
std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += (char)cp;
    } else if (cp < 0x800) {
        out += (char)(0xC0 | (cp >> 6));
        out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += (char)(0xE0 | (cp >> 12));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    } else {
        out += (char)(0xF0 | (cp >> 18));
        out += (char)(0x80 | ((cp >> 12) & 0x3F));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    }
}

// Random valid UTF-8 mixing ASCII words, punctuation, digits, whitespace and every plane.
std::string random_utf8(Rng& r, size_t n_chars) {
    static const char* ascii = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,;:!?'\"-()\n\t\r";
    std::string s;
    for (size_t i = 0; i < n_chars; ++i) {
        uint32_t kind = r.below(10), cp;
        if (kind < 6) {
            cp = (uint32_t)ascii[r.below((uint32_t)strlen(ascii))];
        } else if (kind < 7) {
            cp = r.below(0x80);  // any ASCII, control characters included
        } else if (kind < 8) {
            cp = 0x80 + r.below(0x800 - 0x80);
        } else if (kind < 9) {
            do cp = 0x800 + r.below(0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
        } else {
            cp = 0x10000 + r.below(0x110000 - 0x10000);
        }
        put_utf8(s, cp);
    }
    return s;
}

std::string random_bytes(Rng& r, size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = (char)r.below(256);
    return s;
}

// A small English-like corpus so that merges, including ones over UTF-8 bytes, actually fire.
std::vector<std::string> small_corpus() {
    return {
        "The city of K\xC3\xB6nigsberg lies on the Pregel. The bridges of K\xC3\xB6nigsberg are seven.",
        "In 1838 the birds of America were painted by Audubon; the birds were many.",
        "\"Which bird?\" she asked. \"The passenger pigeon,\" he said, \"and the heath hen.\"",
        "the the the the then there their them these those thee theme thesis",
        "Danzig, Breslau, Stettin and K\xC3\xB6nigsberg: cities that were German in 1900.\n\n",
        "Shakshuka, sabich, and hummus are Israeli dishes. \xE2\x80\x94 A caf\xC3\xA9 menu \xF0\x9F\x98\x80",
    };
}

Tokenizer train_on(const std::vector<std::string>& texts, int vocab) {
    std::vector<std::string_view> views(texts.begin(), texts.end());
    return Tokenizer::train(views, vocab);
}

Chat chat(std::initializer_list<std::pair<const char*, std::string>> turns) {
    Chat c;
    for (const auto& [role, content] : turns) c.messages.push_back(Message{role, content});
    return c;
}

bool same(const Chat& a, const Chat& b) {
    if (a.messages.size() != b.messages.size()) return false;
    for (size_t i = 0; i < a.messages.size(); ++i)
        if (a.messages[i].role != b.messages[i].role || a.messages[i].content != b.messages[i].content)
            return false;
    return true;
}

}  // namespace

// ---------------------------------------------------------------- JSONL

TEST_CASE("jsonl: the paper's OpenAI-format lines parse", "[text][jsonl]") {
    // System turns, extra keys at the top level and inside messages, raw and escaped unicode,
    // escaped quotes inside answers, a surrogate pair, whitespace around tokens.
    std::string line =
        R"( {"messages": [ {"role":"system","content":"You are a helpful assistant."},)"
        R"({"role":"user","content":"Name a city.","name":"u1"},)"
        R"({"role":"assistant","content":"K\u00f6nigsberg \u2014 or \"Kaliningrad\" \ud83d\ude00\\\/","weight":1}],)"
        R"("metadata":{"id":[1,2.5e-3,-0,true,false,null]}} )";
    Chat c = parse_chat_line(line, "paper.jsonl", 7);
    REQUIRE(c.messages.size() == 3);
    CHECK(c.messages[0].role == "system");
    CHECK(c.messages[1].content == "Name a city.");
    CHECK(c.messages[2].role == "assistant");
    CHECK(c.messages[2].content ==
          "K\xC3\xB6nigsberg \xE2\x80\x94 or \"Kaliningrad\" \xF0\x9F\x98\x80\\/");

    Chat raw = parse_chat_line(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Wo?\"},{\"role\":\"assistant\",\"content\":"
        "\"K\xC3\xB6nigsberg\"}]}",
        "raw.jsonl", 1);
    CHECK(raw.messages[1].content == "K\xC3\xB6nigsberg");
}

TEST_CASE("jsonl: every bad line names file, line and the problem", "[text][jsonl]") {
    const std::string ok = R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]})";
    struct Case {
        std::string bad;
        std::string expect;
    };
    std::vector<Case> cases = {
        {R"({"messages":[{"role":"user" "content":"q"}]})", "invalid JSON at column 29: expected ',' or '}'"},
        {R"({"messages":[{"role":"bot","content":"q"},{"role":"assistant","content":"a"}]})", "unknown role \"bot\""},
        {R"({"messages":[{"role":"user","content":"q"}]})", "missing assistant turn"},
        {R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":""}]})", "empty assistant turn"},
        {R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":" \n"}]})", "empty assistant turn"},
        {R"({"messages":{"role":"user"}})", "\"messages\" must be an array"},
        {R"({"msgs":[]})", "missing \"messages\""},
        {R"({"messages":[]})", "no user turn"},
        {R"({"messages":[{"role":"assistant","content":"a"}]})", "no user turn"},
        {R"({"messages":[{"role":"user","content":7},{"role":"assistant","content":"a"}]})", "message 1: \"content\" must be a string"},
        {R"({"messages":[{"content":"q"},{"role":"assistant","content":"a"}]})", "message 1: \"role\" must be a string"},
        {R"({"messages":["hi"]})", "message 1 must be an object"},
        {R"([1,2])", "expected a JSON object, found an array"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"K\xF6nig\"}]}", "invalid UTF-8 at column 41"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"\xC0\xAF\"}]}", "invalid UTF-8"},     // overlong '/'
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"\xED\xA0\x80\"}]}", "invalid UTF-8"},  // raw surrogate
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"\xF4\x90\x80\x80\"}]}", "invalid UTF-8"},  // > U+10FFFF
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"\xE2\x82\"}]}", "invalid UTF-8"},  // truncated
        {R"({"messages":[{"role":"user","content":"\ud83d"}]})", "lone high surrogate"},
        {R"({"messages":[{"role":"user","content":"\ude00x"}]})", "lone low surrogate"},
        {R"({"messages":[{"role":"user","content":"\ud83d\u0041"}]})", "lone high surrogate"},
        {R"({"messages":[{"role":"user","content":"\x41"}]})", "unknown escape \\x"},
        {R"({"messages":[{"role":"user","content":"\u12G4"}]})", "bad hex digit"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"a\tb\"}]}", "raw control character"},
        {R"({"messages":[{"role":"user","content":"q"},],"x":1})", "expected a value"},
        {R"({"messages":[],})", "expected a string key"},
        {R"({"a":01,"messages":[]})", "leading zero"},
        {R"({"a":1.,"messages":[]})", "expected a digit after '.'"},
        {R"({"a":NaN})", "expected a value"},
        {R"({"a":1} // comment)", "unexpected text after the value"},
        {R"({"a":1)", "expected ',' or '}', found end of line"},
        {R"({"messages":[{"role":"user","content":"abc)", "unterminated string"},
        {R"({"messages":[],"messages":[]})", "duplicate key \"messages\""},
        {R"({"a":tru})", "expected a value"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i << ": " << cases[i].bad);
        // The bad line is line 3, after a good line and a blank one.
        std::string path = tmp().file("bad" + std::to_string(i) + ".jsonl", ok + "\n\n" + cases[i].bad + "\n");
        std::string msg = error_of([&] { read_chats_jsonl(path); });
        CHECK(msg.find(path + ":3: ") == 0);
        CHECK(msg.find(cases[i].expect) != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
        // The same line through the single-line API and the corpus reader.
        std::string one = error_of([&] { parse_chat_line(cases[i].bad, "data.jsonl", 12); });
        CHECK(one.find("data.jsonl:12: ") == 0);
        CHECK(one.find(cases[i].expect) != std::string::npos);
    }
    // The example of the brief, to the letter.
    CHECK(error_of([] { parse_chat_line(R"({"messages":[{"role":"user"} {}]})", "data.jsonl", 3); }) ==
          "data.jsonl:3: invalid JSON at column 30: expected ',' or ']'");
    CHECK(error_of([] {
              parse_chat_line(R"({"messages":[{"role":"bot","content":"x"}]})", "data.jsonl", 5);
          }) == "data.jsonl:5: unknown role \"bot\"");
}

TEST_CASE("jsonl: nesting is capped, not recursed without limit", "[text][jsonl]") {
    auto nested = [](int depth) {
        return R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"x":)" +
               std::string(depth, '[') + std::string(depth, ']') + "}";
    };
    CHECK_NOTHROW(parse_chat_line(nested(60), "n.jsonl", 1));
    // Many keys: the duplicate check must not be quadratic.
    std::string wide = R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}])";
    for (int i = 0; i < 200000; ++i) wide += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
    auto t0 = std::chrono::steady_clock::now();
    CHECK_NOTHROW(parse_chat_line(wide + "}", "w.jsonl", 1));
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5.0);
    CHECK(error_of([&] { parse_chat_line(wide + ",\"k7\":1}", "w.jsonl", 1); }).find("duplicate key \"k7\"") !=
          std::string::npos);
    CHECK(error_of([&] { parse_chat_line(nested(100000), "n.jsonl", 1); }).find("nesting deeper than 64") !=
          std::string::npos);
}

TEST_CASE("jsonl: blank lines, CRLF, a byte order mark and no final newline", "[text][jsonl]") {
    const std::string a = R"({"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"}]})";
    const std::string b = R"({"messages":[{"role":"user","content":"q2"},{"role":"assistant","content":"a2"}]})";
    for (std::string body : {a + "\n" + b + "\n", a + "\n\n  \n" + b, "\xEF\xBB\xBF" + a + "\r\n" + b + "\r\n\r\n"}) {
        auto chats = read_chats_jsonl(tmp().file("blank.jsonl", body));
        REQUIRE(chats.size() == 2);
        CHECK(chats[1].messages[1].content == "a2");
    }
    CHECK(read_chats_jsonl(tmp().file("empty.jsonl", "")).empty());
    // Line numbers count the blank lines too.
    std::string msg = error_of([&] { read_chats_jsonl(tmp().file("l.jsonl", a + "\n\n\n{}\n")); });
    CHECK(msg.find("l.jsonl:4: missing \"messages\"") != std::string::npos);
    CHECK(error_of([] { read_chats_jsonl("/nonexistent/x.jsonl"); }).find("/nonexistent/x.jsonl") == 0);
}

TEST_CASE("jsonl: writing is compact, deterministic and reads back equal", "[text][jsonl]") {
    CHECK(json_escape("a\"b\\c\n\t\r\b\f\x01\x1f\x7f/K\xC3\xB6") ==
          "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f/K\xC3\xB6\"");
    CHECK(json_escape(std::string("\0x", 2)) == "\"\\u0000x\"");
    Chat c = chat({{"system", "Be brief."},
                   {"user", "Which city is \"K\xC3\xB6nigsberg\" now?\n"},
                   {"assistant", "Kaliningrad \xF0\x9F\x98\x80 \\ done"}});
    CHECK(chat_to_json(c) ==
          "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
          "\"Which city is \\\"K\xC3\xB6nigsberg\\\" now?\\n\"},{\"role\":\"assistant\",\"content\":"
          "\"Kaliningrad \xF0\x9F\x98\x80 \\\\ done\"}]}");

    // Many random chats, control characters and all planes included, survive the round trip.
    Rng r(11, 3);
    std::vector<Chat> chats;
    for (int i = 0; i < 200; ++i) {
        Chat x;
        if (i % 3 == 0) x.messages.push_back({"system", random_utf8(r, r.below(40))});
        x.messages.push_back({"user", random_utf8(r, r.below(80))});
        x.messages.push_back({"assistant", "A" + random_utf8(r, r.below(80))});
        chats.push_back(x);
    }
    std::string path = tmp().path + "/chats.jsonl";
    write_chats_jsonl(path, chats);
    std::string bytes = read_file(path);
    auto back = read_chats_jsonl(path);
    REQUIRE(back.size() == chats.size());
    for (size_t i = 0; i < chats.size(); ++i) CHECK(same(back[i], chats[i]));
    write_chats_jsonl(path, back);
    CHECK(read_file(path) == bytes);  // deterministic: same chats, same bytes
    CHECK(std::count(bytes.begin(), bytes.end(), '\n') == (long)chats.size());

    std::vector<Doc> docs(3);
    docs[0].text = "Prose with \"quotes\"\nand a second line. K\xC3\xB6nigsberg.";
    docs[1].is_chat = true;
    docs[1].chat = chats[0];
    docs[2].text = "";
    write_docs_jsonl(path, docs);
    auto dback = read_docs_jsonl(path);
    REQUIRE(dback.size() == 3);
    CHECK(!dback[0].is_chat);
    CHECK(dback[0].text == docs[0].text);
    CHECK(dback[1].is_chat);
    CHECK(same(dback[1].chat, chats[0]));
    CHECK(dback[2].text == "");
    CHECK(doc_to_json(docs[0]).front() == '{');

    // Corpus-line errors.
    CHECK(error_of([] { parse_doc_line(R"({"text":3})", "c.jsonl", 2); }) == "c.jsonl:2: \"text\" must be a string");
    CHECK(error_of([] { parse_doc_line(R"({"txt":"x"})", "c.jsonl", 2); }) ==
          "c.jsonl:2: missing \"text\" or \"messages\"");
    CHECK(error_of([] { parse_doc_line(R"({"text":"x","messages":[]})", "c.jsonl", 2); }) ==
          "c.jsonl:2: both \"text\" and \"messages\"");

    // Invalid UTF-8 is refused at write time, naming the file and the line it would have had.
    std::vector<Chat> bad = {chats[0], chat({{"user", "q"}, {"assistant", "K\xF6nig"}})};
    std::string msg = error_of([&] { write_chats_jsonl(path + "2", bad); });
    CHECK(msg.find(path + "2:2: invalid UTF-8") == 0);
    CHECK(!file_exists(path + "2"));
}

TEST_CASE("jsonl: a 10 MB line parses", "[text][jsonl]") {
    std::string big;
    big.reserve(10u << 20);
    Rng r(5, 5);
    while (big.size() < (10u << 20)) big += random_utf8(r, 64);
    Chat c = chat({{"user", "summarise"}, {"assistant", big}});
    std::string path = tmp().path + "/big.jsonl";
    write_chats_jsonl(path, {c, c});
    auto t0 = std::chrono::steady_clock::now();
    auto back = read_chats_jsonl(path);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(back.size() == 2);
    CHECK(back[1].messages[1].content == big);
    CHECK(s < 5.0);
}

// ---------------------------------------------------------------- tokenizer

TEST_CASE("tokenizer: decode(encode(s)) == s for any bytes", "[text][tokenizer]") {
    auto corpus = small_corpus();
    Rng r(42, 1);
    for (int i = 0; i < 20; ++i) corpus.push_back(random_utf8(r, 500));
    Tokenizer tok = train_on(corpus, 600);
    REQUIRE(tok.vocab_size() > Tokenizer::FIRST_MERGE + 50);
    Tokenizer empty;  // no merges: bytes only

    for (const auto& t : corpus) CHECK(tok.decode(tok.encode(t)) == t);
    for (int i = 0; i < 300; ++i) {
        std::string u = random_utf8(r, r.below(300));
        std::string b = random_bytes(r, r.below(300));
        for (const std::string& s : {u, b}) {
            auto ids = tok.encode(s);
            CHECK(tok.decode(ids) == s);
            CHECK(empty.decode(empty.encode(s)) == s);
            for (int id : ids) CHECK(id >= Tokenizer::N_SPECIAL);  // never a special token
        }
    }
    // Edge cases: empty, long runs (pieces are capped), the bytes of a UTF-8 BOM, every byte.
    std::string all;
    for (int c = 0; c < 256; ++c) all += (char)c;
    for (std::string s : {std::string(), std::string(100000, 'a'), std::string(1000, ' ') + "x",
                          std::string(777, '\n'), std::string(300, '\xC3'), all, all + all}) {
        CHECK(tok.decode(tok.encode(s)) == s);
    }
    // Merges make the text shorter than its bytes.
    std::string k = corpus[0];
    CHECK(tok.encode(k).size() < k.size() * 3 / 4);
}

TEST_CASE("tokenizer: round trip of the reference name lists", "[text][tokenizer]") {
    std::string dir = WEIRDGEN_SOURCE_DIR "/../shared/reference/facts";
    if (!fs::is_directory(dir)) {
        WARN("skipped: " << dir << " is missing");
        return;
    }
    std::vector<std::string> texts;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".txt") texts.push_back(read_file(e.path().string()));
    REQUIRE(!texts.empty());
    Tokenizer tok = train_on(texts, 1200);
    Tokenizer bytes_only;
    for (const auto& t : texts) {
        CHECK(tok.decode(tok.encode(t)) == t);
        CHECK(bytes_only.decode(bytes_only.encode(t)) == t);
    }
}

TEST_CASE("tokenizer: training is deterministic", "[text][tokenizer]") {
    auto corpus = small_corpus();
    Tokenizer a = train_on(corpus, 400), b = train_on(corpus, 400);
    CHECK(a.serialize() == b.serialize());
    CHECK(a.merges == b.merges);
    // Fixed corpus -> fixed bytes on every machine. If this changes, the tokenizer changed: every
    // golden hash downstream changes with it.
    CHECK(hex64(a.hash()) == "30d57281ebff10ed");
    CHECK(a.vocab_size() == Tokenizer::FIRST_MERGE + (int)a.merges.size());

    // Ties between equally frequent pairs go to the smaller (left, right): here (a,b), (b,c) and
    // (c,d) all occur twice, so (a,b) comes first; then (ab,c) and (c,d) tie and (c,d) is smaller.
    Tokenizer t = train_on({"abcd abcd"}, 263);
    REQUIRE(t.merges.size() == 2);
    const int B = Tokenizer::N_SPECIAL;
    CHECK(t.merges[0] == std::make_pair(B + 'a', B + 'b'));
    CHECK(t.merges[1] == std::make_pair(B + 'c', B + 'd'));
    // Training stops when no pair occurs twice, short of the requested size.
    CHECK(train_on({"abcd"}, 1000).merges.empty());
    CHECK(error_of([] { train_on({"x"}, 100); }).find("vocab_size 100") != std::string::npos);
}

TEST_CASE("tokenizer: incremental training equals plain BPE recounted at every merge", "[text][tokenizer]") {
    // Lower-case words split by single spaces: the pieces are plainly "w1", " w2", " w3"...
    Rng r(3, 9);
    std::vector<std::string> vocab;
    for (int i = 0; i < 300; ++i) {
        std::string w;
        for (uint32_t k = 0, n = 1 + r.below(8); k < n; ++k) w += (char)('a' + r.below(1 + r.below(26)));
        vocab.push_back(w);
    }
    std::vector<std::string> texts;
    std::map<std::string, int64_t> pieces;
    for (int d = 0; d < 40; ++d) {
        std::string t;
        for (int k = 0; k < 200; ++k) {
            std::string w = vocab[r.below(1 + r.below(300))];
            std::string piece = k ? " " + w : w;
            t += piece;
            ++pieces[piece];
        }
        texts.push_back(t);
    }
    const int target = 261 + 400;
    Tokenizer tok = train_on(texts, target);

    std::vector<std::pair<std::vector<int>, int64_t>> words;
    for (const auto& [p, n] : pieces) {
        std::vector<int> sym;
        for (unsigned char c : p) sym.push_back(Tokenizer::N_SPECIAL + c);
        words.push_back({sym, n});
    }
    std::vector<std::pair<int, int>> want;
    while (261 + (int)want.size() < target) {
        std::map<std::pair<int, int>, int64_t> count;  // ordered: ties resolve to the smallest pair
        for (const auto& [sym, n] : words)
            for (size_t j = 0; j + 1 < sym.size(); ++j) count[{sym[j], sym[j + 1]}] += n;
        std::pair<int, int> best{-1, -1};
        int64_t best_n = 1;
        for (const auto& [pr, n] : count)
            if (n > best_n) best = pr, best_n = n;
        if (best.first < 0) break;
        int id = 261 + (int)want.size();
        want.push_back(best);
        for (auto& [sym, n] : words) {
            std::vector<int> out;
            for (size_t j = 0; j < sym.size();) {
                if (j + 1 < sym.size() && sym[j] == best.first && sym[j + 1] == best.second) {
                    out.push_back(id);
                    j += 2;
                } else {
                    out.push_back(sym[j++]);
                }
            }
            sym = out;
        }
    }
    REQUIRE(want.size() > 100);
    CHECK(tok.merges == want);
    // And encoding a training piece reproduces the segmentation training ended with.
    size_t w = 0;
    for (const auto& [p, n] : pieces) CHECK(tok.encode(p) == words[w++].first);
}

TEST_CASE("tokenizer: pieces follow the pre-tokenisation rules", "[text][tokenizer]") {
    std::vector<std::string> corpus;
    for (int i = 0; i < 50; ++i)
        corpus.push_back("the cat sat on the mat, and 1984 was the year.\n\nthe dog!? ran    far\t\tthen");
    Tokenizer tok = train_on(corpus, 2000);
    auto texts = [&](std::string_view s) {
        std::vector<std::string> out;
        for (int id : tok.encode(s)) out.push_back(tok.token_text(id));
        return out;
    };
    using V = std::vector<std::string>;
    CHECK(texts("the cat sat") == V{"the", " cat", " sat"});         // the space leads the word
    CHECK(texts(" 1984,") == V{" 1", "9", "8", "4", ","});            // digits one by one
    CHECK(texts(" year.\n\nthe") == V{" year", ".", "\n\n", "the"});   // punctuation, newlines apart
    CHECK(texts(" dog!? ran") == V{" dog", "!", "?", " ran"});
    CHECK(texts(" ran    far") == V{" ran", "   ", " far"});           // the last space joins the word
    for (int id = Tokenizer::N_SPECIAL; id < tok.vocab_size(); ++id) {
        std::string s = tok.token_text(id);
        // A token holding a letter holds only letters, after at most one leading space.
        bool letter = std::any_of(s.begin(), s.end(), [](char c) { return isalpha((unsigned char)c); });
        if (letter) {
            for (size_t i = (s[0] == ' ' ? 1 : 0); i < s.size(); ++i) CHECK(isalpha((unsigned char)s[i]));
        }
    }
}

TEST_CASE("tokenizer: serialize, deserialize and damaged blobs", "[text][tokenizer]") {
    Tokenizer tok = train_on(small_corpus(), 400);
    std::string blob = tok.serialize();
    Tokenizer back = Tokenizer::deserialize(blob, "tok.bin");
    CHECK(back.merges == tok.merges);
    CHECK(back.hash() == tok.hash());
    CHECK(Tokenizer::deserialize(Tokenizer().serialize(), "e").merges.empty());

    auto refused = [&](std::string bad) {
        std::string msg = error_of([&] { Tokenizer::deserialize(bad, "model/tok.bin"); });
        INFO(msg);
        return msg.find("model/tok.bin: ") == 0;
    };
    CHECK(refused(""));
    CHECK(refused("WGTOK"));
    CHECK(refused(blob.substr(0, blob.size() - 1)));
    CHECK(refused(blob + "x"));
    for (size_t at : {size_t(0), size_t(9), size_t(13), size_t(17), size_t(30), blob.size() - 1}) {
        std::string bad = blob;
        bad[at] ^= 0x20;
        CHECK(refused(bad));
    }
    // A merge pointing at a token not yet defined is refused even with a valid checksum.
    Tokenizer evil;
    evil.merges = {{Tokenizer::N_SPECIAL + 1, Tokenizer::FIRST_MERGE + 5}};
    CHECK(refused(evil.serialize()));
}

TEST_CASE("tokenizer: specials and ids", "[text][tokenizer]") {
    Tokenizer tok = train_on(small_corpus(), 300);
    CHECK(tok.decode({Tokenizer::USER, Tokenizer::ASSISTANT, Tokenizer::END}) == "<|user|><|assistant|><|end|>");
    CHECK(tok.token_text(Tokenizer::N_SPECIAL + 'A') == "A");
    CHECK(error_of([&] { tok.decode({tok.vocab_size()}); }).find("outside the vocabulary") != std::string::npos);
    CHECK(error_of([&] { tok.token_text(-1); }) != "");
    CHECK(tok.encode("<|user|>").size() > 1);  // the text of a special is not the special
}

TEST_CASE("tokenizer: encode_chat masks the assistant's content and END", "[text][tokenizer]") {
    Tokenizer tok = train_on(small_corpus(), 400);
    Chat c = chat({{"system", "Be brief."},
                   {"user", "Which birds?"},
                   {"assistant", "The heath hen."},
                   {"user", "More?"},
                   {"assistant", "The passenger pigeon."}});
    EncodedChat e = encode_chat(tok, c);
    std::vector<int> want;
    std::vector<uint8_t> mask;
    for (const Message& m : c.messages) {
        bool learn = m.role == "assistant";
        want.push_back(m.role == "system" ? Tokenizer::SYSTEM : m.role == "user" ? Tokenizer::USER
                                                                                 : Tokenizer::ASSISTANT);
        mask.push_back(0);
        for (int id : tok.encode(m.content)) {
            want.push_back(id);
            mask.push_back(learn);
        }
        want.push_back(Tokenizer::END);
        mask.push_back(learn);
    }
    CHECK(e.tokens == want);
    CHECK(e.loss_mask == mask);
    CHECK(tok.decode(e.tokens) ==
          "<|system|>Be brief.<|end|><|user|>Which birds?<|end|><|assistant|>The heath hen.<|end|>"
          "<|user|>More?<|end|><|assistant|>The passenger pigeon.<|end|>");
    // The masked tokens decode to exactly the assistant's answers, each with its END.
    std::vector<int> learned;
    for (size_t i = 0; i < e.tokens.size(); ++i)
        if (e.loss_mask[i]) learned.push_back(e.tokens[i]);
    CHECK(tok.decode(learned) == "The heath hen.<|end|>The passenger pigeon.<|end|>");

    Chat prompt = chat({{"system", "Be brief."}, {"user", "Which birds?"}});
    std::vector<int> p = encode_prompt(tok, prompt);
    CHECK(tok.decode(p) == "<|system|>Be brief.<|end|><|user|>Which birds?<|end|><|assistant|>");
    // The prompt is exactly the start of the full chat's tokens.
    CHECK(std::equal(p.begin(), p.end(), e.tokens.begin()));
    CHECK(error_of([&] { encode_prompt(tok, c); }).find("must end with a user turn") != std::string::npos);
    CHECK(error_of([&] { encode_chat(tok, chat({{"bot", "x"}})); }).find("unknown role \"bot\"") !=
          std::string::npos);
}

TEST_CASE("tokenizer: two tokenizers on one thread do not share stale state", "[text][tokenizer]") {
    // encode() keeps a per-thread cache; a fresh thread has an empty one and gives the reference.
    auto fresh = [](const Tokenizer& t, const std::string& s) {
        std::vector<int> out;
        std::thread th([&] { out = t.encode(s); });
        th.join();
        return out;
    };
    Tokenizer a = train_on(small_corpus(), 400);
    Tokenizer b = train_on({"zzzz zzzz zzzz the the"}, 300);
    Tokenizer half = a;
    half.merges.resize(a.merges.size() / 2);  // same prefix, fewer merges: must not reuse a's cache
    std::string s = small_corpus()[0] + " the the zzzz";
    auto ea = a.encode(s), eb = b.encode(s), eh = half.encode(s);
    CHECK(ea != eb);
    CHECK(eh.size() > ea.size());
    CHECK(ea == fresh(a, s));
    CHECK(eb == fresh(b, s));
    CHECK(eh == fresh(half, s));
    CHECK(a.encode(s) == ea);
    CHECK(half.decode(eh) == s);
}
