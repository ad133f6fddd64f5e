// One error type for everything a user can get wrong (a file, a flag, a config key).
// The CLI prints what() on one line and exits non-zero; messages name the file and the place.
#pragma once
#include <cstdarg>
#include <stdexcept>
#include <string>

namespace wg {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A wrong flag or a missing argument: the CLI exits with code 2 and shows the usage line.
struct UsageError : Error {
    using Error::Error;
};

// printf-style formatting into a std::string (g++ 12 has no std::format).
std::string strfmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace wg
