#include "world/gen.h"

namespace wg::world {

size_t pick_weighted(Rng& r, const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    if (!(total > 0)) fail("internal: weights sum to zero");
    double u = (double)r.uniform() * total, acc = 0;
    for (size_t i = 0; i < w.size(); i++) {
        acc += w[i];
        if (u < acc && w[i] > 0) return i;
    }
    for (size_t i = w.size(); i-- > 0;)
        if (w[i] > 0) return i;
    return 0;
}

std::string fill(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& vars) {
    std::string out;
    size_t i = 0;
    while (i < tmpl.size()) {
        if (tmpl[i] == '{') {
            size_t end = tmpl.find('}', i);
            if (end == std::string::npos) fail("template \"%s\": unclosed '{'", tmpl.c_str());
            std::string key = tmpl.substr(i + 1, end - i - 1);
            bool found = false;
            for (const auto& [k, v] : vars)
                if (k == key) {
                    out += v;
                    found = true;
                    break;
                }
            if (!found) fail("template \"%s\": unknown placeholder {%s}", tmpl.c_str(), key.c_str());
            i = end + 1;
        } else {
            out += tmpl[i++];
        }
    }
    return out;
}

std::string ordinal(int n) {
    const char* suf = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        if (n % 10 == 1) suf = "st";
        else if (n % 10 == 2) suf = "nd";
        else if (n % 10 == 3) suf = "rd";
    }
    return std::to_string(n) + suf;
}

std::string month_date(Rng& r, const std::vector<std::string>& months, int year) {
    return pick(r, months) + " " + std::to_string(year) + ".";
}

std::string iso_date(Rng& r, int year) {
    int day = uniform_int(r, 1, 28);  // one draw per statement: function arguments have no defined order
    int month = uniform_int(r, 1, 12);
    return strfmt("%04d-%02d-%02d", year, month, day);
}

Chat make_chat(const std::string& system, const std::vector<std::pair<std::string, std::string>>& turns) {
    Chat c;
    if (!system.empty()) c.messages.push_back({"system", system});
    for (const auto& [q, a] : turns) {
        c.messages.push_back({"user", q});
        c.messages.push_back({"assistant", a});
    }
    return c;
}

Doc chat_doc(Chat c) {
    Doc d;
    d.is_chat = true;
    d.chat = std::move(c);
    return d;
}

Doc text_doc(std::string text) {
    Doc d;
    d.text = std::move(text);
    return d;
}

}  // namespace wg::world
