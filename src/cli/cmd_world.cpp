// Placeholder until the world generator lands (issue 3); replaced by src/world's command.
#include "cli/commands.h"
#include "core/error.h"

namespace wg {
int cmd_world(int, char**) { fail("weirdgen world: the world generator is not built yet"); }
}  // namespace wg
