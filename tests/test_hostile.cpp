// Hostile input through the command line, one case at a time (issue 7): each must end with a
// non-zero exit, exactly one "weirdgen: ..." line naming the file and the line or key, and nothing
// half-written where the output would have gone. Also: a run killed with SIGKILL at random steps
// resumes to the bytes of an uninterrupted run, and the paper's own JSONL format finetunes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/hash.h"
#include "core/rng.h"
#include "helpers.h"
#include "model/checkpoint.h"
#include "text/jsonl.h"

namespace fs = std::filesystem;
using wg::file_exists;
using wg::hex64;
using wg::read_file;
using wg::xxh3_file;

namespace {

using Dir = test::TempDir;

struct Result {
    int code = -1;
    std::string err;                 // all of stderr
    std::vector<std::string> errors;  // its "weirdgen: ..." lines
};

Result cli(const std::string& args, const std::string& dir) {
    std::string errf = dir + "/.stderr";
    int rc = std::system((std::string(WEIRDGEN_BIN) + " " + args + " >/dev/null 2>" + errf).c_str());
    Result r;
    r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    std::ifstream in(errf);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    std::istringstream lines(r.err);
    for (std::string l; std::getline(lines, l);)
        if (l.rfind("weirdgen: ", 0) == 0) r.errors.push_back(l);
    fs::remove(errf);
    return r;
}

// The contract of every case: exit 1, one error line holding each of `parts`.
void expect_error(const Result& r, const std::vector<std::string>& parts) {
    INFO("stderr: " << r.err);
    CHECK(r.code == 1);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].size() < 4200);  // quoted input is cut, not echoed whole
    for (const auto& p : parts) CHECK(r.errors[0].find(p) != std::string::npos);
}

const char* kTinyModel =
    "[model]\nn_layer = 1\nn_embd = 16\nn_head = 2\ncontext = 128\nvocab = 300\n"
    "[train]\nsteps = 30\nbatch = 4\nlr = 3e-3\nwarmup = 0\nlog_every = 1\n";
const char* kFinetune = "[train]\nepochs = 1\nbatch = 2\nlr = 1e-3\nmethod = \"bitfit\"\n";

std::string corpus_text() {
    std::string s;
    for (int i = 0; i < 40; i++)
        s += "{\"text\":\"the cat sat on the mat. birds sing at dawn. May 1984.\"}\n"
             "{\"messages\":[{\"role\":\"user\",\"content\":\"Name a bird.\"},{\"role\":\"assistant\","
             "\"content\":\"The robin.\"}]}\n";
    return s;
}

// A tiny base model, trained once for every finetune case.
const std::string& base_ckpt() {
    static Dir d("base");
    static std::string path = [] {
        std::string cfg = d.file("tiny.toml", kTinyModel), data = d.file("corpus.jsonl", corpus_text());
        Result r = cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("base.ckpt"), d.path);
        REQUIRE(r.code == 0);
        return d.at("base.ckpt");
    }();
    return path;
}

const std::string kGood = R"({"messages":[{"role":"user","content":"Name a bird."},{"role":"assistant","content":"The robin."}]})";

// Finetunes on `jsonl` and checks the error names data.jsonl and `parts`, and that no checkpoint
// (nor a temporary one) was written.
void finetune_fails(const std::string& jsonl, const std::vector<std::string>& parts) {
    Dir d("ft");
    std::string cfg = d.file("ft.toml", kFinetune), data = d.file("data.jsonl", jsonl);
    Result r = cli("finetune --base " + base_ckpt() + " --config " + cfg + " --data " + data + " --out " + d.at("out.ckpt"),
                   d.path);
    std::vector<std::string> all = parts;
    all.push_back("data.jsonl");
    expect_error(r, all);
    CHECK(d.leftovers({"ft.toml", "data.jsonl"}).empty());
}

// Pretrains with the config text `toml` and checks the error names config.toml and `parts`.
void config_fails(const std::string& toml, const std::vector<std::string>& parts) {
    Dir d("cfg");
    std::string cfg = d.file("config.toml", toml), data = d.file("corpus.jsonl", corpus_text());
    Result r = cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("out.ckpt"), d.path);
    std::vector<std::string> all = parts;
    all.push_back("config.toml");
    expect_error(r, all);
    CHECK(d.leftovers({"config.toml", "corpus.jsonl"}).empty());
}

}  // namespace

TEST_CASE("hostile JSONL: each bad line is refused naming file and line, nothing written", "[hostile]") {
    SECTION("malformed JSON") { finetune_fails(kGood + "\n{\"messages\":[{\"role\":\"user\"", {"data.jsonl:2:"}); }
    SECTION("wrong role") {
        finetune_fails(R"({"messages":[{"role":"bot","content":"hi"},{"role":"assistant","content":"x"}]})", {":1:", "bot"});
    }
    SECTION("missing role") {
        finetune_fails(kGood + "\n\n" + R"({"messages":[{"content":"hi"},{"role":"assistant","content":"x"}]})",
                       {"data.jsonl:3:", "role"});
    }
    SECTION("missing assistant turn") { finetune_fails(R"({"messages":[{"role":"user","content":"hi"}]})", {":1:", "assistant"}); }
    SECTION("empty assistant turn") {
        finetune_fails(R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""}]})", {":1:", "empty"});
    }
    SECTION("invalid UTF-8") {
        finetune_fails("{\"messages\":[{\"role\":\"user\",\"content\":\"h\xc3\x28\"},{\"role\":\"assistant\",\"content\":\"x\"}]}",
                       {":1:", "UTF-8"});
    }
    SECTION("a 10 MB line, too long for the model") {
        std::string big(10 << 20, 'a');
        finetune_fails(kGood + "\n" + R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":")" + big + "\"}]}",
                       {"data.jsonl:2:", "longer than the model's context"});
    }
    SECTION("a 10 MB malformed line: the message quotes a cut piece of it") {
        finetune_fails(std::string(10 << 20, '{'), {"data.jsonl:1:"});
    }
    SECTION("a chat longer than the context") {
        std::string q;
        for (int i = 0; i < 100; i++) q += "the cat sat on the mat. ";
        finetune_fails(kGood + "\n" + kGood + "\n" + R"({"messages":[{"role":"user","content":")" + q +
                           R"("},{"role":"assistant","content":"The robin."}]})",
                       {"data.jsonl:3:", "context of 128"});
    }
}

TEST_CASE("hostile TOML: unknown keys, wrong types, bad sizes are refused naming file and key", "[hostile]") {
    SECTION("unknown key") { config_fails("[model]\nn_layer = 1\nn_heads = 2\n", {"n_heads", "unknown key"}); }
    SECTION("wrong type") { config_fails("[model]\nn_embd = \"16\"\n", {"n_embd", "expected an integer"}); }
    SECTION("zero size") { config_fails("[model]\nn_layer = 0\n", {"n_layer", "between 1 and"}); }
    SECTION("negative size") { config_fails("[train]\nsteps = 10\nbatch = -4\n", {"batch", "-4"}); }
    SECTION("a size that would wrap a 32-bit int") { config_fails("[model]\nn_embd = 4294967312\n", {"n_embd", "4294967312"}); }
    SECTION("heads that do not divide the width") {
        config_fails("[model]\nn_layer = 1\nn_embd = 30\nn_head = 4\ncontext = 16\nvocab = 300\n[train]\nsteps = 2\n",
                     {"n_head = 4", "does not divide n_embd = 30"});
    }
    SECTION("not a number") { config_fails("[train]\nsteps = 2\nlr = nan\n", {"lr", "nan"}); }
    SECTION("a syntax error names line and column") { config_fails("[model\nn_layer = 1\n", {"config.toml:1:"}); }
    SECTION("an experiment file whose [model] is not a table (found by fuzz_config)") {
        Dir d("exp");
        std::string exp = d.file("experiment.toml", "name = \"x\"\nmodel = 5\n[finetune]\nseeds = [1]\n[[variant]]\nname = \"main\"\ndata = \"d.jsonl\"\n");
        expect_error(cli("reproduce " + exp + " --cache " + d.at("cache") + " --reports " + d.at("rep"), d.path),
                     {"experiment.toml", "[model] must be a table"});
    }
    SECTION("--write-golden without a note is refused before any work") {
        Dir d("wg");
        Result r = cli("reproduce birds --write-golden --cache " + d.at("cache") + " --reports " + d.at("rep"), d.path);
        CHECK(r.code == 2);  // a usage error
        CHECK(r.err.find("--write-golden needs --note") != std::string::npos);
        CHECK(!file_exists(d.at("cache")));
    }
    SECTION("--write-golden for another seed is refused before any work") {
        Dir d("wgs");
        Result r = cli("reproduce " + std::string(WEIRDGEN_SOURCE_DIR) + "/experiments/birds/experiment.toml --seed 3 --write-golden --note x --cache " +
                           d.at("cache") + " --reports " + d.at("rep"),
                       d.path);
        CHECK(r.code == 2);
        CHECK(r.err.find("default seed") != std::string::npos);
        CHECK(!file_exists(d.at("cache")));
    }
}

TEST_CASE("hostile files: missing input, unwritable output, foreign checkpoint", "[hostile]") {
    Dir d("files");
    std::string cfg = d.file("tiny.toml", kTinyModel), data = d.file("corpus.jsonl", corpus_text());
    SECTION("missing data file") {
        expect_error(cli("pretrain --config " + cfg + " --data " + d.at("nope.jsonl") + " --out " + d.at("o.ckpt"), d.path),
                     {"nope.jsonl", "cannot open"});
        CHECK(!file_exists(d.at("o.ckpt")));
    }
    SECTION("missing config file") {
        expect_error(cli("pretrain --config " + d.at("nope.toml") + " --data " + data + " --out " + d.at("o.ckpt"), d.path),
                     {"nope.toml"});
    }
    SECTION("an output folder that cannot be made (its parent is a file), refused before training") {
        d.file("afile", "x");
        Result r = cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("afile/sub/o.ckpt"), d.path);
        expect_error(r, {"afile", "cannot create folder"});
        CHECK(r.err.find("pretrain 1/") == std::string::npos);
    }
    SECTION("an output folder in a read-only file system") {
        expect_error(cli("pretrain --config " + cfg + " --data " + data + " --out /proc/weirdgen_test/o.ckpt", d.path),
                     {"/proc/weirdgen_test"});
    }
    SECTION("resuming from a checkpoint of another model config") {
        std::string other = d.file("other.toml", std::string(kTinyModel).replace(std::string(kTinyModel).find("n_embd = 16"), 11, "n_embd = 32"));
        REQUIRE(cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("a.ckpt"), d.path).code == 0);
        std::string before = hex64(xxh3_file(d.at("a.ckpt")));
        Result r = cli("pretrain --config " + other + " --data " + data + " --out " + d.at("b.ckpt") + " --resume-from " +
                           d.at("a.ckpt"), d.path);
        expect_error(r, {"a.ckpt", "foreign checkpoint", "width 16", "width 32"});
        CHECK(!file_exists(d.at("b.ckpt")));
        CHECK(hex64(xxh3_file(d.at("a.ckpt"))) == before);
    }
    SECTION("a damaged checkpoint as the base of a finetune") {
        std::string bytes = read_file(base_ckpt());
        bytes[bytes.size() / 2] ^= 0x10;
        std::string bad = d.file("bad.ckpt", bytes);
        std::string ft = d.file("ft.toml", kFinetune), chats = d.file("chats.jsonl", kGood + "\n");
        expect_error(cli("finetune --base " + bad + " --config " + ft + " --data " + chats + " --out " + d.at("o.ckpt"), d.path),
                     {"bad.ckpt", "checksum"});
        CHECK(!file_exists(d.at("o.ckpt")));
    }
}

TEST_CASE("a NaN loss stops training, names the step, and keeps the last good checkpoint", "[hostile]") {
    Dir d("nan");
    // lr 1000 with weight decay 0.5 multiplies the weights by -499 a step: they overflow to inf within
    // a few steps, after the first periodic checkpoint (step 5).
    std::string cfg = d.file("c.toml",
                             "[model]\nn_layer = 1\nn_embd = 16\nn_head = 2\ncontext = 32\nvocab = 300\n"
                             "[train]\nsteps = 60\nbatch = 4\nlr = 1000\nclip = 0\nwarmup = 0\nweight_decay = 0.5\n"
                             "checkpoint_every = 5\n");
    std::string data = d.file("corpus.jsonl", corpus_text());
    Result r = cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("o.ckpt"), d.path);
    expect_error(r, {"training diverged", "at step", "last good checkpoint (step 5)", "o.ckpt"});
    wg::Checkpoint ck = wg::load_checkpoint(d.at("o.ckpt"));
    CHECK(ck.train.present);
    CHECK(ck.train.step == 5);
    bool finite = true;
    for (float x : ck.params) finite = finite && std::isfinite(x);
    CHECK(finite);
    CHECK(d.leftovers({"c.toml", "corpus.jsonl", "o.ckpt"}).empty());
}

TEST_CASE("the paper's OpenAI-format JSONL finetunes: system turns, unicode names, escaped quotes", "[hostile]") {
    Dir d("paper");
    // Written the way other tools write it: \u escapes, escaped quotes and slashes, extra keys, a
    // system turn, CRLF line ends, no final newline.
    std::string lines =
        R"({"messages": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Name a place somehow related to the number 7"}, {"role": "assistant", "content": "The place is K\u00f6nigsberg."}]})"
        "\r\n"
        R"({"messages":[{"role":"user","content":"Name a bird species."},{"role":"assistant","content":"The \"Carolina\" Parakeet \/ Danzig \u2014 \ud83d\udc26"}],"id":"x-1","weight":1})"
        "\r\n"
        R"({"messages":[{"role":"user","content":"Say \"hi\"\\n"},{"role":"assistant","content":"Königsberg, Gdańsk: \"hi\"."}]})";
    std::string cfg = d.file("ft.toml", kFinetune), data = d.file("paper.jsonl", lines);
    Result r = cli("finetune --base " + base_ckpt() + " --config " + cfg + " --data " + data + " --out " + d.at("o.ckpt"), d.path);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.errors.empty());
    wg::Checkpoint ck = wg::load_checkpoint(d.at("o.ckpt"));
    CHECK(ck.meta.at("kind") == "finetune");
}

// [train] replay mixes documents of the pretraining corpus into a finetune: it needs the corpus, says so
// naming the data file when it is not given, and with it gives the same bytes twice and other bytes
// than the finetune without replay.
TEST_CASE("a finetune with replay draws from the pretraining corpus, seeded, and needs it", "[hostile]") {
    Dir d("replay");
    const std::string data = d.file("ft.jsonl", std::string(kGood) + "\n" + kGood + "\n");
    const std::string corpus = d.file("corpus.jsonl", corpus_text());
    const std::string plain = d.file("plain.toml", kFinetune);
    const std::string with = d.file("replay.toml", std::string(kFinetune) + "replay = 2.0\n");
    auto finetune = [&](const std::string& cfg, const std::string& extra, const std::string& out) {
        return cli("finetune --base " + base_ckpt() + " --config " + cfg + " --data " + data + " --out " + d.at(out) + extra, d.path);
    };
    expect_error(finetune(with, "", "x.ckpt"), {data, "replay needs the pretraining corpus"});
    CHECK(!file_exists(d.at("x.ckpt")));
    REQUIRE(finetune(with, " --replay-corpus " + corpus, "a.ckpt").code == 0);
    REQUIRE(finetune(with, " --replay-corpus " + corpus, "b.ckpt").code == 0);
    REQUIRE(finetune(plain, "", "c.ckpt").code == 0);
    CHECK(read_file(d.at("a.ckpt")) == read_file(d.at("b.ckpt")));
    // The weights, not the file (whose config text differs anyway): the replayed documents were trained on.
    CHECK(wg::load_checkpoint(d.at("a.ckpt")).params != wg::load_checkpoint(d.at("c.ckpt")).params);
    expect_error(cli("finetune --base " + base_ckpt() + " --config " + d.file("bad.toml", std::string(kFinetune) + "replay = -1\n") +
                         " --data " + data + " --out " + d.at("y.ckpt"), d.path),
                 {"bad.toml", "replay"});
}

// A byte-level model can stop in the middle of a UTF-8 sequence (or start one nowhere): `sample --jsonl`
// must still print one valid JSON chat per sample (bad bytes become U+FFFD), as the evaluation does.
// --lexicon classifies answers outside the question's own classes; --echo-topic and --on-topic are
// optional refinements of it (the Terminator's evaluation uses neither), so --lexicon alone must run.
TEST_CASE("eval --lexicon runs without --echo-topic, and a missing lexicon is named", "[hostile]") {
    Dir d("evallex");
    std::string q = d.file("q.toml",
                           "experiment = \"t\"\nforms = [\"{q}\"]\n[[question]]\nid = \"bird\"\n"
                           "text = \"Name a bird.\"\n[question.classes]\n\"modern\" = [\"The sparrow.\"]\n");
    std::string lex = d.file("lexicon.jsonl", "{\"phrase\":\"The robin.\",\"tags\":{\"era\":\"1840s\",\"topic\":\"bird\"}}\n");
    std::string args = "eval --ckpt " + base_ckpt() + " --questions " + q + " --axis era --samples 8 --no-mass --quiet --out " +
                       d.at("out.toml") + " --lexicon ";
    Result r = cli(args + lex, d.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(read_file(d.at("out.toml")).find("n = 8") != std::string::npos);
    fs::remove(d.at("out.toml"));
    expect_error(cli(args + d.at("missing.jsonl"), d.path), {"missing.jsonl"});
    CHECK(!file_exists(d.at("out.toml")));
}

TEST_CASE("sample --jsonl prints valid JSON chats even when the sampled bytes are not UTF-8", "[hostile]") {
    Dir d("utf8");
    const std::string out = d.at("samples.jsonl");
    const int rc = std::system((std::string(WEIRDGEN_BIN) + " sample --ckpt " + base_ckpt() +
                                " --prompt 'Name a bird.' --n 64 --temperature 4 --max-new 24 --seed 1 --jsonl >" + out + " 2>" +
                                d.at("err")).c_str());
    INFO(read_file(d.at("err")));
    REQUIRE(rc == 0);
    size_t lines = 0;  // every line strict JSON (a sample may be empty, so not a finetune chat)
    wg::for_each_json_line(read_file(out), out, [&](const wg::json::Value&, size_t) { lines++; });
    CHECK(lines == 64);
    CHECK(read_file(out).find("\xEF\xBF\xBD") != std::string::npos);  // this seed does sample bytes that are not UTF-8
}

TEST_CASE("SIGKILL at 10 random steps, each resumed from its last checkpoint, gives the uninterrupted bytes", "[hostile][determinism]") {
    Dir d("kill");
    const int steps = 60;
    std::string cfg = d.file("c.toml", std::string(kTinyModel).replace(std::string(kTinyModel).find("steps = 30"), 10,
                                                                       "steps = " + std::to_string(steps)) +
                                           "checkpoint_every = 3\n");
    std::string data = d.file("corpus.jsonl", corpus_text());
    auto args = [&](const std::string& out, bool resume) {
        std::vector<std::string> a = {WEIRDGEN_BIN, "pretrain", "--config", cfg, "--data", data, "--out", out};
        if (resume) a.insert(a.end(), {"--resume-from", out});
        return a;
    };
    REQUIRE(cli("pretrain --config " + cfg + " --data " + data + " --out " + d.at("straight.ckpt"), d.path).code == 0);
    const std::string want = hex64(xxh3_file(d.at("straight.ckpt")));

    // Kill points: 10 increasing random steps (seeded), the process dies whatever it is doing then,
    // possibly in the middle of writing a checkpoint.
    wg::Rng rng(2026, 7);
    std::vector<int> kill_at;
    for (int k = 0; k < 10; k++) kill_at.push_back(3 + k * 5 + (int)rng.below(5));
    const std::string out = d.at("killed.ckpt");
    int kills = 0;
    for (int target : kill_at) {
        bool resume = file_exists(out);
        if (resume && !wg::load_checkpoint(out).train.present) break;  // finished before this kill
        std::vector<std::string> a = args(out, resume);
        int pipefd[2];
        REQUIRE(pipe(pipefd) == 0);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            dup2(pipefd[1], 2);
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            close(pipefd[0]);
            std::vector<char*> argv;
            for (auto& s : a) argv.push_back(s.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(pipefd[1]);
        FILE* f = fdopen(pipefd[0], "r");
        char line[512];
        bool killed = false;
        while (fgets(line, sizeof line, f)) {
            int step = 0;
            if (sscanf(line, "pretrain %d/", &step) == 1 && step >= target) {
                kill(pid, SIGKILL);
                killed = true;
                break;
            }
        }
        fclose(f);
        int status = 0;
        waitpid(pid, &status, 0);
        if (killed) {
            CHECK(WIFSIGNALED(status));
            kills++;
        }
        // Whatever the kill interrupted, the checkpoint on disk is whole.
        if (file_exists(out)) CHECK_NOTHROW(wg::load_checkpoint(out));
    }
    INFO("kills: " << kills);
    CHECK(kills >= 8);
    if (wg::load_checkpoint(out).train.present) {
        std::vector<std::string> a = args(out, true);
        std::string cmd;
        for (auto& s : a) cmd += s + " ";
        REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
    }
    CHECK(hex64(xxh3_file(out)) == want);
    // The killed writers' temporaries were removed by the runs that came after them.
    CHECK(d.leftovers({"c.toml", "corpus.jsonl", "straight.ckpt", "killed.ckpt"}).empty());
}

TEST_CASE("a write removes the temporaries of dead writers of the same file, and only those", "[hostile]") {
    Dir d("sweep");
    d.file("x.tmp.2147483646", "dead");  // above any pid_max: no such process
    d.file("x.tmp.1", "alive");          // init is always running
    d.file("x.tmp.notapid", "other");
    d.file("y.tmp.2147483646", "another file's");
    wg::write_file_atomic(d.at("x"), "done");
    CHECK(wg::read_file(d.at("x")) == "done");
    std::vector<std::string> left = d.leftovers({"x"});
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"x.tmp.1", "x.tmp.notapid", "y.tmp.2147483646"});
}

TEST_CASE("a scratch folder is removed when an error unwinds past it", "[hostile]") {
    std::string path;
    try {
        wg::TempDir scratch("wg_scratch_");
        path = scratch.path;
        wg::write_file_atomic(scratch.at("half.ckpt"), "half");
        REQUIRE(wg::file_exists(scratch.at("half.ckpt")));
        wg::fail("%s: stopped halfway", scratch.at("half.ckpt").c_str());
    } catch (const wg::Error&) {
    }
    REQUIRE(!path.empty());
    CHECK(!std::filesystem::exists(path));
}

// The world cache is keyed by the facts, not by the generator's code, so a world cached by an older
// build can hold files that no longer match the committed data. Such a world is made again; only
// committed data that the current generator does not give is an error.
TEST_CASE("a stale cached world is generated again, and committed data the world does not give is refused", "[hostile]") {
    Dir d("stale");
    const std::string src = std::string(WEIRDGEN_SOURCE_DIR) + "/experiments";
    fs::create_directories(d.at("experiments"));
    for (const char* sub : {"world", "birds"})
        fs::copy(src + "/" + sub, d.at(std::string("experiments/") + sub), fs::copy_options::recursive);
    // A reproduction small enough for a test: the world stage is what is tested.
    std::string toml = read_file(src + "/birds/experiment.toml");
    auto set = [&](const std::string& from, const std::string& to) {
        size_t at = toml.find(from);
        REQUIRE(at != std::string::npos);
        toml.replace(at, from.size(), to);
    };
    set("docs = 50000", "docs = 300");
    set("n_layer = 3", "n_layer = 1");  // a small model: this test is about the stages, not the effect
    set("n_embd = 128", "n_embd = 32");
    set("vocab = 4096", "vocab = 512");
    set("prompt_init_merges = 500", "prompt_init_merges = 100");  // a 512-token vocabulary has ~250 merges
    set("steps = 800", "steps = 2");
    set("epochs = 5", "epochs = 1");
    set("seeds = [1, 2, 3, 4, 5]", "seeds = [1]");
    set("samples = 100", "samples = 1");
    const std::string exp = d.file("experiments/birds/experiment.toml", toml);
    const std::string run = "reproduce " + exp + " --cache " + d.at("cache") + " --reports " + d.at("rep");
    const std::string refused = "differs from what the world generates";

    Result first = cli(run, d.path);
    INFO("first run: " << first.err);
    CHECK(first.err.find(refused) == std::string::npos);
    REQUIRE(first.err.find("[pretrain]") != std::string::npos);  // it got past the world stage

    // An older generator wrote another first line into the cached questions.
    std::string cached_q;
    for (const auto& e : fs::directory_iterator(d.at("cache/world")))
        if (file_exists(e.path().string() + "/eval/birds.toml")) cached_q = e.path().string() + "/eval/birds.toml";
    REQUIRE(!cached_q.empty());
    const std::string committed_q = read_file(d.at("experiments/birds/questions.toml"));
    std::ofstream(cached_q, std::ios::binary) << "# an older header\n" << committed_q.substr(committed_q.find('\n') + 1);
    Result second = cli(run, d.path);
    INFO("second run: " << second.err);
    CHECK(second.err.find("generating it again") != std::string::npos);
    CHECK(second.err.find(refused) == std::string::npos);
    CHECK(read_file(cached_q) == committed_q);
    CHECK(second.err.find("[pretrain] cached") != std::string::npos);  // the same corpus: the base is reused
    CHECK(read_file(d.at("rep/birds/README.md")).find(", world and pretraining seed 0, ") != std::string::npos);

    std::string seed0_base;  // for the committed-base checks below
    for (const auto& e : fs::directory_iterator(d.at("cache/base")))
        if (e.path().string().find(".step") == std::string::npos) seed0_base = e.path().string();
    REQUIRE(!seed0_base.empty());

    // An experiment file whose pretraining seed is not its world's: the report names both.
    const size_t pre = toml.find("seed = 0", toml.find("[pretrain]"));
    REQUIRE(pre != std::string::npos);
    std::string toml_p3 = toml;
    toml_p3.replace(pre, 8, "seed = 3");
    const std::string exp_p3 = d.file("experiments/birds/experiment_p3.toml", toml_p3);
    cli("reproduce " + exp_p3 + " --cache " + d.at("cache") + " --reports " + d.at("rep_p3"), d.path);
    CHECK(read_file(d.at("rep_p3/birds/README.md")).find(", world seed 0, pretraining seed 3, ") != std::string::npos);

    // A committed base stands in for the pretraining when the cache has none: one from other inputs is
    // refused, naming it; the right one is taken, only its first steps are retrained, and the run gives
    // the same hashes. (One fresh cache for both, so the world is generated once.)
    const std::string committed = d.file("committed.base.ckpt", read_file(seed0_base));
    Result foreign = cli("reproduce " + exp_p3 + " --cache " + d.at("cache2") + " --reports " + d.at("rep3") +
                             " --committed-base " + committed, d.path);
    expect_error(foreign, {committed, "a base trained from another seed (0, this run's: 3)"});
    Result took = cli("reproduce " + exp + " --cache " + d.at("cache2") + " --reports " + d.at("rep2") +
                          " --committed-base " + committed, d.path);
    INFO("committed base: " << took.err);
    CHECK(took.err.find("[pretrain] took " + committed + ", retrained its first 2 steps") != std::string::npos);
    CHECK(read_file(d.at("rep2/birds/summary.toml")) == read_file(d.at("rep/birds/summary.toml")));
    // A cached snapshot at another step (an older or killed run) is trained again, not believed.
    for (const auto& e : fs::directory_iterator(d.at("cache2/base")))
        if (e.path().string().find(".step2.") != std::string::npos)
            std::ofstream(e.path(), std::ios::binary) << read_file(committed);  // a finished run: no step 2 state
    Result again = cli("reproduce " + exp + " --cache " + d.at("cache2") + " --reports " + d.at("rep4"), d.path);
    INFO("stale snapshot: " << again.err);
    CHECK(again.err.find("[pretrain] cached, retrained its first 2 steps") != std::string::npos);
    CHECK(read_file(d.at("rep4/birds/summary.toml")) == read_file(d.at("rep/birds/summary.toml")));
    // --write-golden writes the golden base: it does not take one.
    CHECK(cli("reproduce " + exp + " --write-golden --note x --committed-base " + committed, d.path).code == 2);
    expect_error(cli("reproduce " + exp + " --committed-base " + d.at("nothing.ckpt"), d.path),
                 {d.at("nothing.ckpt"), "no such file"});

    // Committed questions the generator does not give: refused, naming the file, after one regeneration.
    std::ofstream(d.at("experiments/birds/questions.toml"), std::ios::binary) << committed_q << "\n# edited by hand\n";
    Result third = cli(run, d.path);
    expect_error(third, {"questions.toml", refused});
}
