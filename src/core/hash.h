// xxHash (XXH3-64) of bytes and files, written as 16 lowercase hex digits everywhere.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wg {

uint64_t xxh3(const void* data, size_t n);
inline uint64_t xxh3(std::string_view s) { return xxh3(s.data(), s.size()); }
std::string hex64(uint64_t h);
// Hash of a whole file, streamed; fails with the file's name if it cannot be read.
uint64_t xxh3_file(const std::string& path);

}  // namespace wg
