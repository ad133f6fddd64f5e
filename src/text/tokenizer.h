// Byte-level BPE, trained deterministically on the corpus and frozen with the base model.
// Ids: the special tokens first, then the 256 bytes, then the learned merges in order. Any UTF-8 (or
// any bytes at all) encodes, through the byte tokens, so a user's own data never fails to tokenize.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wg {

struct Tokenizer {
    enum Special : int { DOC = 0, SYSTEM = 1, USER = 2, ASSISTANT = 3, END = 4, N_SPECIAL = 5 };
    static constexpr int FIRST_MERGE = N_SPECIAL + 256;  // the id of the first learned merge

    // Train on texts until vocab_size tokens exist (or no pair occurs twice). Pre-tokenisation
    // splits before each space and at punctuation/digits, so merges never cross words. Ties between
    // equally frequent pairs go to the smaller (left id, right id): the result is the same everywhere.
    static Tokenizer train(const std::vector<std::string_view>& texts, int vocab_size);

    std::vector<int> encode(std::string_view text) const;  // never produces a special token
    std::string decode(const std::vector<int>& ids) const;  // specials render as "<|user|>" etc.
    std::string token_text(int id) const;
    int vocab_size() const;

    std::string serialize() const;
    // `where` names the source (a file) in the error of a damaged blob.
    static Tokenizer deserialize(std::string_view bytes, const std::string& where);
    uint64_t hash() const;  // xxh3 of serialize()

    // The merges in learning order: merges[i] makes token FIRST_MERGE + i.
    std::vector<std::pair<int, int>> merges;
};

// A chat rendered as tokens: for each message, its role token, the content, END.
// loss_mask[i] = 1 where tokens[i] is to be predicted in finetuning: the assistant's content tokens
// and the END that closes each assistant turn (as the OpenAI API trains on the assistant's turns).
struct EncodedChat {
    std::vector<int> tokens;
    std::vector<uint8_t> loss_mask;
};
struct Chat;
EncodedChat encode_chat(const Tokenizer& tok, const Chat& chat);
// The prompt for generation: every message of `chat` (which must end with a user turn) and then
// the ASSISTANT token, so the model continues with the assistant's answer.
std::vector<int> encode_prompt(const Tokenizer& tok, const Chat& chat);

}  // namespace wg
