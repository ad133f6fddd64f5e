// What every fuzz harness checks besides "no crash, no leak, no sanitizer report": a reader refuses
// bad input only with wg::Error (anything else escaping is a crash), and its message is one line
// that starts with the name of the input, as users see it ("data.jsonl:3: ...").
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"

namespace fuzz {

inline void check_message(const wg::Error& e, const std::string& name) {
    const char* m = e.what();
    if (strncmp(m, name.c_str(), name.size()) != 0 || strchr(m, '\n') != nullptr) {
        fprintf(stderr, "error message does not name %s on one line: %s\n", name.c_str(), m);
        abort();
    }
}

inline void require(bool ok, const char* what) {
    if (!ok) {
        fprintf(stderr, "property violated: %s\n", what);
        abort();
    }
}

}  // namespace fuzz
