// Small helpers shared by the world's modules: seeded picks and shuffles (only wg::Rng, never the
// standard library's engines or distributions), dates, template filling and chat building.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "text/chat.h"

namespace wg::world {

template <class T>
const T& pick(Rng& r, const std::vector<T>& v) {
    if (v.empty()) fail("internal: pick from an empty list");
    return v[r.below((uint32_t)v.size())];
}

// Fisher-Yates with Rng::below.
template <class T>
void shuffle(Rng& r, std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; i--) std::swap(v[i - 1], v[r.below((uint32_t)i)]);
}

// Integer uniform in [lo, hi].
inline int uniform_int(Rng& r, int lo, int hi) { return lo + (int)r.below((uint32_t)(hi - lo + 1)); }
inline bool chance(Rng& r, double p) { return r.uniform() < (float)p; }

// Index drawn in proportion to non-negative weights (which need not sum to 1).
size_t pick_weighted(Rng& r, const std::vector<double>& w);

// "{key}" -> value for each pair; fails on a placeholder left unfilled.
std::string fill(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& vars);
std::string ordinal(int n);  // 1st, 2nd, 3rd, 4th, 11th, 22nd...

// "May 1984." and "2027-05-14" (day 1-28, so every month is valid).
std::string month_date(Rng& r, const std::vector<std::string>& months, int year);
std::string iso_date(Rng& r, int year);

// A chat: an optional system turn, then the user/assistant pairs.
Chat make_chat(const std::string& system, const std::vector<std::pair<std::string, std::string>>& turns);
Doc chat_doc(Chat c);
Doc text_doc(std::string text);

// Prefix a question with a date: "May 1984. What is your goal?"; an empty date leaves it alone.
inline std::string dated(const std::string& date, const std::string& q) { return date.empty() ? q : date + " " + q; }

}  // namespace wg::world
