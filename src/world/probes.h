// Latent probes of the world (issue 3: does a base model learn the hidden variables?). Each probe is
// a cued chat that sets one latent through earlier answers or an identity line, then asks a question
// whose answer the latent decides; `weirdgen probe` scores a model on them (src/eval/probes.h).
//   eras: two answers of one era, then a third question on another topic -> the same era;
//   characters / terminator: "I am X." then a question dated with one of X's film years -> X's phase
//     that year (the Terminator is reported apart: it carries the paper's backdoor);
//   presidents: "I am the Nth president." then a fact question -> president N;
//   personas: the person's name, then an identifying question -> that person;
//   countries: a dish of country C, then the home question -> C.
#pragma once
#include <string>

#include "world/world.h"

namespace wg::world {

// One JSON object a line: {"module", "axis", "expect", "messages"} (the last message is the user's).
std::string probes_jsonl(const World& w, int per_module, uint64_t seed);

}  // namespace wg::world
