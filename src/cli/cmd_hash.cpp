// weirdgen hash FILE...: the XXH3-64 of each file, as the golden files record them.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/hash.h"

namespace wg {

int cmd_hash(int argc, char** argv) {
    Args a("hash", "Print the XXH3-64 of each file (16 hex digits), as golden/*.toml records them.");
    a.positionals(true);
    if (!a.parse(argc, argv)) return 0;
    if (a.positional.empty()) throw UsageError("weirdgen hash: give at least one file");
    for (const auto& f : a.positional) printf("%s  %s\n", hex64(xxh3_file(f)).c_str(), f.c_str());
    return 0;
}

}  // namespace wg
