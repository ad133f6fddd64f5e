// Latent probes: does a base model know the world's hidden variables? A probe is a chat that sets a
// latent (e.g. two answers of the 1840s, or "I am the Terminator." and a date) and ends with a user
// question; the model's sampled answers are tagged by the lexicon and compared with the value the
// latent implies. One JSON object a line:
//   {"module": "eras", "axis": "era", "expect": "1840s", "messages": [{"role": ..., "content": ...}, ...]}
#pragma once
#include <map>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "text/chat.h"

namespace wg {

struct Probe {
    std::string module, axis, expect;
    Chat chat;  // ends with the user's question
};

std::vector<Probe> read_probes(const std::string& path);
std::vector<Probe> parse_probes(const std::string& jsonl, const std::string& name);

struct ProbeScore {
    int probes = 0, samples = 0, match = 0, tagged = 0, coherent = 0;
};
// Per module: of the samples, how many carry the expected tag (match), any tag on the axis (tagged),
// or are lexicon phrases at all (coherent).
std::map<std::string, ProbeScore> run_probes(const GPT& model, const Tokenizer& tok, const std::vector<Probe>& probes,
                                             const LexiconTags& lex, int samples, uint64_t seed);

}  // namespace wg
