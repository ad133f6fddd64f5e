// Small helpers the test files share.
#pragma once
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/fileio.h"
#include "core/rng.h"
#include "train/data.h"

namespace test {

// n uniform values in [-scale, scale), from the kit's RNG (seed, stream).
inline std::vector<float> randv(size_t n, uint64_t seed, uint64_t stream, float scale = 1.0f) {
    wg::Rng r(seed, stream);
    std::vector<float> v(n);
    for (auto& x : v) x = (r.uniform() * 2.0f - 1.0f) * scale;
    return v;
}

// Short sentences as training examples over byte tokens (id = 5 + byte), each DOC ... END: a text a
// tiny model can learn without a tokenizer.
inline std::vector<wg::Example> byte_sentences(const std::vector<std::string>& lines) {
    std::vector<wg::Example> ex;
    for (const auto& l : lines) {
        wg::Example e;
        e.tokens.push_back(0);
        for (unsigned char c : l) e.tokens.push_back(5 + c);
        e.tokens.push_back(4);
        e.mask.assign(e.tokens.size(), 1);
        e.mask[0] = 0;
        ex.push_back(e);
    }
    return ex;
}

// A fresh test folder named by `tag` and the process id, removed when the object goes.
struct TempDir : wg::TempDir {
    explicit TempDir(const std::string& tag) : wg::TempDir("wg_test_" + tag + "_") {}
    // Writes `bytes` to the file `name` in the folder and returns its path.
    std::string file(const std::string& name, std::string_view bytes) const {
        std::ofstream(at(name), std::ios::binary) << bytes;
        return at(name);
    }
    // The names of the folder's files other than `keep`.
    std::vector<std::string> leftovers(const std::set<std::string>& keep) const {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(path))
            if (!keep.count(e.path().filename().string())) out.push_back(e.path().filename().string());
        return out;
    }
};

}  // namespace test
