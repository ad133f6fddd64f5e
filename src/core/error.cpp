#include "core/error.h"

#include <cstdio>
#include <vector>

namespace wg {

static std::string vstrfmt(const char* fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(nullptr, 0, fmt, ap2);
    va_end(ap2);
    std::string out(n > 0 ? n : 0, '\0');
    if (n > 0) vsnprintf(out.data(), out.size() + 1, fmt, ap);
    return out;
}

std::string strfmt(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = vstrfmt(fmt, ap);
    va_end(ap);
    return s;
}

// Messages quote what the user wrote (a key, a role, a TOML parser's view of a line), which may hold
// newlines or be megabytes long: escape control characters and cut the middle, so that every error
// stays one readable line.
static std::string one_line(const std::string& s) {
    const size_t kMax = 2000;
    std::string out;
    for (unsigned char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) out += strfmt("\\x%02x", c);
        else out += (char)c;
    }
    if (out.size() > kMax) out = out.substr(0, kMax / 2) + " ... " + out.substr(out.size() - kMax / 2);
    return out;
}

void fail(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = vstrfmt(fmt, ap);
    va_end(ap);
    throw Error(one_line(s));
}

}  // namespace wg
