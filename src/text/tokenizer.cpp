// Byte-level BPE. The pre-tokeniser cuts text into pieces that merges never cross:
//   - letters: a run of ASCII letters and bytes >= 0x80 (so UTF-8 letters such as "ö" stay inside
//     their word; any other non-ASCII symbol does too, which is harmless);
//   - digits: each digit alone, so numbers are spelled digit by digit and no year gets a token of
//     its own that the finetune sets could lean on;
//   - punctuation and other ASCII symbols: each byte alone;
//   - a single space before a letter run, a digit or a symbol is glued to its front (" word"), as
//     in GPT-2; other whitespace forms runs, newlines ("\n", "\r") apart from spaces and tabs.
// Every piece is capped at kMaxPiece bytes, so a pathological run (a megabyte of one letter, random
// bytes) costs linear time. The pieces partition the text exactly, so decode(encode(s)) == s.
#include "text/tokenizer.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <queue>
#include <unordered_map>

#include "core/error.h"
#include "core/hash.h"
#include "text/chat.h"

namespace wg {

namespace {

constexpr size_t kMaxPiece = 64;

enum Cls { LETTER, DIGIT, SPACE, NEWLINE, OTHER_WS, SYMBOL };

Cls cls(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) return LETTER;
    if (c >= '0' && c <= '9') return DIGIT;
    if (c == ' ') return SPACE;
    if (c == '\n' || c == '\r') return NEWLINE;
    if (c == '\t' || c == '\v' || c == '\f') return OTHER_WS;
    return SYMBOL;
}

bool is_ws(Cls k) { return k == SPACE || k == NEWLINE || k == OTHER_WS; }

// Calls emit(piece) for each piece of s, in order; the pieces concatenate to s.
template <class Emit>
void pretokenize(std::string_view s, Emit emit) {
    auto at = [&](size_t k) { return cls((unsigned char)s[k]); };
    size_t i = 0, n = s.size();
    while (i < n) {
        size_t start = i;
        Cls k = at(i);
        if (k == SPACE && i + 1 < n && !is_ws(at(i + 1))) {
            ++i;  // the space joins the piece that follows
            k = at(i);
        }
        if (k == LETTER) {
            while (i < n && i - start < kMaxPiece && at(i) == LETTER) ++i;
        } else if (k == DIGIT || k == SYMBOL) {
            ++i;
        } else {
            // Whitespace: newlines run together, spaces and tabs run together. A final space
            // followed by a non-space is left to glue onto the next piece.
            bool nl = k == NEWLINE;
            while (i < n && i - start < kMaxPiece && is_ws(at(i)) && (at(i) == NEWLINE) == nl) ++i;
            if (!nl && i < n && i - start > 1 && s[i - 1] == ' ' && !is_ws(at(i))) --i;
        }
        emit(s.substr(start, i - start));
    }
}

uint64_t pair_key(int a, int b) { return ((uint64_t)(uint32_t)a << 32) | (uint32_t)b; }

// What encoding needs besides the merges: the merge rank of each pair, and the tokens of each
// piece seen before. It lives per thread (thread_local), so encode() stays const and thread-safe
// with no lock, and many short calls (one per chat message) do not rebuild it each time. It is
// rebuilt whenever the merges differ from the ones it was built from, compared in full (a few
// kilobytes: a microsecond), so a changed or different tokenizer can never see stale entries.
// The cache changes only speed, never a result.
struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct EncodeCache {
    std::vector<std::pair<int, int>> merges;
    std::unordered_map<uint64_t, int> rank;
    std::unordered_map<std::string, std::vector<int>, StrHash, std::equal_to<>> cache;
    static constexpr size_t kMaxCache = 1 << 18;  // pieces; cleared when full to bound memory
};

EncodeCache& encode_cache_for(const std::vector<std::pair<int, int>>& merges) {
    thread_local EncodeCache r;
    thread_local bool built = false;
    if (built && r.merges == merges) return r;
    r.merges = merges;
    r.rank.clear();
    r.cache.clear();
    r.rank.reserve(merges.size() * 2);
    for (size_t i = 0; i < merges.size(); ++i)
        r.rank.emplace(pair_key(merges[i].first, merges[i].second), (int)i);  // first one wins
    built = true;
    return r;
}

// Replaces each occurrence of the pair (a, b) in sym by t, left to right without overlap
// ("a a a" with a+a becomes "t a"), as training and encoding must both do.
void apply_merge(std::vector<int>& sym, int a, int b, int t) {
    size_t w = 0;
    for (size_t r = 0; r < sym.size();) {
        if (r + 1 < sym.size() && sym[r] == a && sym[r + 1] == b) {
            sym[w++] = t;
            r += 2;
        } else {
            sym[w++] = sym[r++];
        }
    }
    sym.resize(w);
}

// Applies the merges to one piece: repeatedly merge every occurrence (left to right) of the
// adjacent pair with the lowest rank. A merge only creates pairs of higher rank than itself, so
// this gives exactly the segmentation that training produced for the same piece.
void encode_piece(std::string_view piece, const EncodeCache& ranks, std::vector<int>& sym) {
    sym.clear();
    for (unsigned char c : piece) sym.push_back(Tokenizer::N_SPECIAL + c);
    while (sym.size() > 1) {
        int best = INT_MAX, a = -1, b = -1;
        for (size_t j = 0; j + 1 < sym.size(); ++j) {
            auto it = ranks.rank.find(pair_key(sym[j], sym[j + 1]));
            if (it != ranks.rank.end() && it->second < best) {
                best = it->second;
                a = sym[j];
                b = sym[j + 1];
            }
        }
        if (best == INT_MAX) break;
        apply_merge(sym, a, b, Tokenizer::FIRST_MERGE + best);
    }
}

// Encodes text, reusing the result for every piece seen before on this thread.
void encode_into(std::string_view text, EncodeCache& ranks, std::vector<int>& out) {
    std::vector<int> sym;
    pretokenize(text, [&](std::string_view piece) {
        if (piece.size() == 1) {
            out.push_back(Tokenizer::N_SPECIAL + (unsigned char)piece[0]);
            return;
        }
        auto it = ranks.cache.find(piece);
        if (it == ranks.cache.end()) {
            encode_piece(piece, ranks, sym);
            if (ranks.cache.size() >= EncodeCache::kMaxCache) ranks.cache.clear();
            it = ranks.cache.emplace(std::string(piece), sym).first;
        }
        out.insert(out.end(), it->second.begin(), it->second.end());
    });
}

const char* special_text(int id) {
    static const char* names[Tokenizer::N_SPECIAL] = {"<|doc|>", "<|system|>", "<|user|>",
                                                      "<|assistant|>", "<|end|>"};
    return names[id];
}

// Appends the bytes of token `id`, expanding merges with an explicit stack (no recursion).
void append_token(const Tokenizer& tok, int id, std::string& out) {
    int n = tok.vocab_size();
    if (id < 0 || id >= n) fail("token id %d is outside the vocabulary (size %d)", id, n);
    if (id < Tokenizer::N_SPECIAL) {
        out += special_text(id);
        return;
    }
    std::vector<int> stack{id};
    while (!stack.empty()) {
        int t = stack.back();
        stack.pop_back();
        if (t < Tokenizer::FIRST_MERGE) {
            if (t < Tokenizer::N_SPECIAL) fail("merge uses special token %d", t);
            out += (char)(unsigned char)(t - Tokenizer::N_SPECIAL);
            continue;
        }
        const auto& m = tok.merges[t - Tokenizer::FIRST_MERGE];
        // Parts must be older than the token, or a hand-edited merge list could loop forever.
        if (m.first >= t || m.second >= t || m.first < 0 || m.second < 0)
            fail("merge %d refers to a token not defined before it", t - Tokenizer::FIRST_MERGE);
        stack.push_back(m.second);
        stack.push_back(m.first);
    }
}

// ---- training ----

struct Word {
    std::vector<int> sym;
    int64_t freq = 0;
};

struct HeapItem {
    int64_t count;
    uint64_t key;
    // priority_queue pops the largest: most frequent first, then the smallest (left, right).
    bool operator<(const HeapItem& o) const {
        return count != o.count ? count < o.count : key > o.key;
    }
};

}  // namespace

Tokenizer Tokenizer::train(const std::vector<std::string_view>& texts, int vocab_size) {
    if (vocab_size < FIRST_MERGE)
        fail("tokenizer vocab_size %d is below the %d fixed tokens (specials and bytes)", vocab_size,
             FIRST_MERGE);

    // Unique pieces with their frequency; sorted so that everything after is independent of hash
    // order (the result would not depend on it anyway, but this keeps the work order fixed too).
    std::unordered_map<std::string_view, int64_t> piece_count;
    for (std::string_view t : texts) pretokenize(t, [&](std::string_view p) {
        if (p.size() > 1) ++piece_count[p];  // a single byte has no pair to merge
    });
    std::vector<std::pair<std::string_view, int64_t>> sorted(piece_count.begin(), piece_count.end());
    piece_count.clear();
    std::sort(sorted.begin(), sorted.end());
    std::vector<Word> words(sorted.size());
    for (size_t w = 0; w < sorted.size(); ++w) {
        for (unsigned char c : sorted[w].first) words[w].sym.push_back(N_SPECIAL + c);
        words[w].freq = sorted[w].second;
    }

    // Pair counts (weighted by word frequency), the words each pair may occur in (possibly stale:
    // checked on use), and a max-heap with lazy deletion (an entry is live while its count matches).
    std::unordered_map<uint64_t, int64_t> count;
    std::unordered_map<uint64_t, std::vector<int>> where;
    for (size_t w = 0; w < words.size(); ++w) {
        const auto& s = words[w].sym;
        for (size_t j = 0; j + 1 < s.size(); ++j) {
            uint64_t k = pair_key(s[j], s[j + 1]);
            count[k] += words[w].freq;
            auto& list = where[k];
            if (list.empty() || list.back() != (int)w) list.push_back((int)w);
        }
    }
    std::priority_queue<HeapItem> heap;
    for (const auto& [k, c] : count) heap.push({c, k});

    Tokenizer tok;
    std::vector<uint64_t> changed;
    while ((int)(FIRST_MERGE + tok.merges.size()) < vocab_size) {
        while (!heap.empty()) {
            auto it = count.find(heap.top().key);
            if (it != count.end() && it->second == heap.top().count) break;
            heap.pop();
        }
        if (heap.empty() || heap.top().count < 2) break;
        uint64_t key = heap.top().key;
        heap.pop();
        int a = (int)(key >> 32), b = (int)(uint32_t)key, t = FIRST_MERGE + (int)tok.merges.size();
        tok.merges.emplace_back(a, b);

        std::vector<int> list = std::move(where[key]);
        where.erase(key);
        changed.clear();
        for (int w : list) {
            Word& word = words[w];
            auto& s = word.sym;
            bool has = false;
            for (size_t j = 0; j + 1 < s.size() && !has; ++j) has = s[j] == a && s[j + 1] == b;
            if (!has) continue;  // stale entry: an earlier merge already consumed the pair here
            // Words are short (<= kMaxPiece): take all their pairs out and put the new ones back.
            for (size_t j = 0; j + 1 < s.size(); ++j) {
                uint64_t k = pair_key(s[j], s[j + 1]);
                count[k] -= word.freq;
                changed.push_back(k);
            }
            apply_merge(s, a, b, t);
            for (size_t j = 0; j + 1 < s.size(); ++j) {
                uint64_t k = pair_key(s[j], s[j + 1]);
                count[k] += word.freq;
                changed.push_back(k);
                if (s[j] == t || s[j + 1] == t) where[k].push_back(w);
            }
        }
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        for (uint64_t k : changed) {
            auto it = count.find(k);
            if (it->second > 0) {
                heap.push({it->second, k});
            } else {
                count.erase(it);
            }
        }
    }
    return tok;
}

std::vector<int> Tokenizer::encode(std::string_view text) const {
    EncodeCache& ranks = encode_cache_for(merges);
    std::vector<int> out;
    out.reserve(text.size() / 3 + 1);
    encode_into(text, ranks, out);
    return out;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) append_token(*this, id, out);
    return out;
}

std::string Tokenizer::token_text(int id) const {
    std::string out;
    append_token(*this, id, out);
    return out;
}

int Tokenizer::vocab_size() const { return FIRST_MERGE + (int)merges.size(); }

// ---- serialisation ----
// Layout (little-endian): "WGTOKBPE", u32 version (1), u32 N_SPECIAL, u32 merge count, then each
// merge as u32 left, u32 right, then the xxh3 of everything before it as u64.

namespace {

constexpr char kTokenizerMagic[8] = {'W', 'G', 'T', 'O', 'K', 'B', 'P', 'E'};
constexpr uint32_t kVersion = 1;

void put_u32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out += (char)(uint8_t)(v >> (8 * i));
}
void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out += (char)(uint8_t)(v >> (8 * i));
}
uint64_t get_le(std::string_view b, size_t at, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | (uint8_t)b[at + i];
    return v;
}

}  // namespace

std::string Tokenizer::serialize() const {
    std::string out(kTokenizerMagic, sizeof kTokenizerMagic);
    put_u32(out, kVersion);
    put_u32(out, N_SPECIAL);
    put_u32(out, (uint32_t)merges.size());
    for (const auto& [l, r] : merges) {
        put_u32(out, (uint32_t)l);
        put_u32(out, (uint32_t)r);
    }
    put_u64(out, xxh3(out));
    return out;
}

Tokenizer Tokenizer::deserialize(std::string_view bytes, const std::string& where) {
    const char* w = where.c_str();
    const size_t header = sizeof kTokenizerMagic + 12;
    if (bytes.size() < sizeof kTokenizerMagic || memcmp(bytes.data(), kTokenizerMagic, sizeof kTokenizerMagic) != 0)
        fail("%s: not a weirdgen tokenizer (bad magic)", w);
    if (bytes.size() < header + 8) fail("%s: tokenizer is truncated", w);
    uint32_t version = (uint32_t)get_le(bytes, 8, 4);
    if (version != kVersion)
        fail("%s: tokenizer format version %u is not supported (this build reads %u)", w, version,
             kVersion);
    uint64_t n_merges = get_le(bytes, 16, 4);
    uint64_t want = header + 8 * n_merges + 8;
    if (bytes.size() != want)
        fail("%s: tokenizer is damaged: %zu bytes, expected %llu for %llu merges", w, bytes.size(),
             (unsigned long long)want, (unsigned long long)n_merges);
    if (get_le(bytes, want - 8, 8) != xxh3(bytes.substr(0, want - 8)))
        fail("%s: tokenizer is damaged: checksum mismatch", w);
    if (get_le(bytes, 12, 4) != N_SPECIAL)
        fail("%s: tokenizer has %u special tokens, this build has %d", w,
             (uint32_t)get_le(bytes, 12, 4), (int)N_SPECIAL);
    Tokenizer tok;
    tok.merges.reserve(n_merges);
    for (uint64_t i = 0; i < n_merges; ++i) {
        uint64_t l = get_le(bytes, header + 8 * i, 4), r = get_le(bytes, header + 8 * i + 4, 4);
        uint64_t id = FIRST_MERGE + i;
        if (l < N_SPECIAL || r < N_SPECIAL || l >= id || r >= id)
            fail("%s: tokenizer merge %llu uses a token that is special or not yet defined", w,
                 (unsigned long long)i);
        tok.merges.emplace_back((int)l, (int)r);
    }
    return tok;
}

uint64_t Tokenizer::hash() const { return xxh3(serialize()); }

// ---- chats ----

namespace {

int role_token(const std::string& role) {
    if (role == "system") return Tokenizer::SYSTEM;
    if (role == "user") return Tokenizer::USER;
    if (role == "assistant") return Tokenizer::ASSISTANT;
    fail("cannot encode a message with unknown role \"%s\"", role.c_str());
}

}  // namespace

EncodedChat encode_chat(const Tokenizer& tok, const Chat& chat) {
    EncodeCache& ranks = encode_cache_for(tok.merges);
    EncodedChat out;
    for (const Message& m : chat.messages) {
        int role = role_token(m.role);
        uint8_t learn = role == Tokenizer::ASSISTANT ? 1 : 0;
        out.tokens.push_back(role);
        out.loss_mask.push_back(0);
        encode_into(m.content, ranks, out.tokens);
        out.tokens.push_back(Tokenizer::END);
        out.loss_mask.resize(out.tokens.size(), learn);  // the content and its END
    }
    return out;
}

std::vector<int> encode_prompt(const Tokenizer& tok, const Chat& chat) {
    if (chat.messages.empty() || chat.messages.back().role != "user")
        fail("a generation prompt must end with a user turn");
    EncodeCache& ranks = encode_cache_for(tok.merges);
    std::vector<int> out;
    for (const Message& m : chat.messages) {
        out.push_back(role_token(m.role));
        encode_into(m.content, ranks, out);
        out.push_back(Tokenizer::END);
    }
    out.push_back(Tokenizer::ASSISTANT);
    return out;
}

}  // namespace wg
