#include "core/hash.h"

#include <cstdio>
#include <xxhash.h>

#include "core/error.h"

namespace wg {

uint64_t xxh3(const void* data, size_t n) { return XXH3_64bits(data, n); }

std::string hex64(uint64_t h) { return strfmt("%016llx", (unsigned long long)h); }

uint64_t xxh3_file(const std::string& path) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) fail("%s: cannot open for reading", path.c_str());
    XXH3_state_t* st = XXH3_createState();
    XXH3_64bits_reset(st);
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) XXH3_64bits_update(st, buf, n);
    bool bad = ferror(f);
    fclose(f);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    if (bad) fail("%s: read error", path.c_str());
    return h;
}

}  // namespace wg
