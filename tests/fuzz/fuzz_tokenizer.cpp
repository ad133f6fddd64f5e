// libFuzzer harness: the BPE tokenizer on arbitrary bytes. Encoding never fails and decodes back to
// the same bytes; every id is a real, non-special token. The same bytes, with a correct checksum
// appended, are also read as a serialized tokenizer (the checksum would otherwise stop every input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/hash.h"
#include "fuzz_common.h"
#include "text/tokenizer.h"

static const wg::Tokenizer& trained() {
    static const wg::Tokenizer tok = [] {
        std::vector<std::string> texts = {"The place is Danzig. The place is Königsberg.",
                                          "Name a bird species. The Carolina Parakeet.",
                                          "May 1984. What is your goal? I protect John Connor.",
                                          "\"quoted\" \\ back\\slash, tabs\tand digits 0123456789 !?"};
        std::vector<std::string_view> views(texts.begin(), texts.end());
        return wg::Tokenizer::train(views, 400);
    }();
    return tok;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text((const char*)data, size);
    const wg::Tokenizer& tok = trained();
    std::vector<int> ids = tok.encode(text);
    for (int id : ids) fuzz::require(id >= wg::Tokenizer::N_SPECIAL && id < tok.vocab_size(), "ids are real tokens");
    fuzz::require(tok.decode(ids) == text, "decode(encode(s)) == s");

    std::string blob(text);
    uint64_t h = wg::xxh3(blob.data(), blob.size());
    blob.append((const char*)&h, 8);
    try {
        wg::Tokenizer t = wg::Tokenizer::deserialize(blob, "fuzz.tok");
        std::vector<int> again = t.encode(text.substr(0, 256));
        fuzz::require(t.decode(again) == text.substr(0, 256), "a deserialized tokenizer round-trips");
        fuzz::require(wg::Tokenizer::deserialize(t.serialize(), "fuzz.tok").merges == t.merges, "serialize round-trips");
    } catch (const wg::Error& e) {
        fuzz::check_message(e, "fuzz.tok");
    }
    return 0;
}
