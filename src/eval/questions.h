// Reading an experiment's evaluation questions (experiments/<name>/questions.toml, written by
// `weirdgen world`): the prompt forms, the questions, and per question the answer phrases of each class.
#pragma once
#include <string>

#include "world/world.h"

namespace wg {

world::EvalSet read_eval_toml(const std::string& path);

}  // namespace wg
