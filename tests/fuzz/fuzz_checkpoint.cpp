// libFuzzer harness: the checkpoint loader on arbitrary bytes. The input's last 8 bytes are replaced
// by the right XXH3 before parsing, so the fuzzer explores the structure behind the checksum (a plain
// mutation is refused by the checksum, which the unit tests already cover bit by bit). A checkpoint
// that parses must give a model and a tokenizer.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/hash.h"
#include "fuzz_common.h"
#include "model/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string buf((const char*)data, size);
    if (buf.size() >= 16) {
        uint64_t h = wg::xxh3(buf.data(), buf.size() - 8);
        memcpy(&buf[buf.size() - 8], &h, 8);
    }
    const std::string name = "fuzz.ckpt";
    try {
        wg::Checkpoint ck = wg::parse_checkpoint(buf, name);
        wg::GPT g = wg::model_from(ck, name);
        fuzz::require(g.params.size() == ck.params.size(), "model holds the checkpoint's parameters");
        wg::Tokenizer tok = wg::Tokenizer::deserialize(ck.tokenizer, name);
        fuzz::require(tok.vocab_size() > 0, "tokenizer loads");
    } catch (const wg::Error& e) {
        fuzz::check_message(e, name);
    }
    return 0;
}
