// libFuzzer harness: the TOML readers of the kit on arbitrary text, as a model/run config and as an
// experiment file. Anything accepted must be a usable config (validate() passes on its model).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "model/config.h"
#include "repro/experiment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text((const char*)data, size);
    try {
        wg::RunConfig rc = wg::parse_run_config(text, "fuzz.toml");
        wg::validate(rc.model, "fuzz.toml");  // must not throw: the reader already checked it
        fuzz::require(rc.train.batch > 0 && rc.train.lr > 0, "accepted train config is usable");
    } catch (const wg::Error& e) {
        fuzz::check_message(e, "fuzz.toml");
    }
    try {
        wg::Experiment ex = wg::parse_experiment(text, "dir/experiment.toml");
        fuzz::require(!ex.name.empty() && !ex.variants.empty() && !ex.seeds.empty(), "accepted experiment is complete");
    } catch (const wg::Error& e) {
        fuzz::check_message(e, "dir/experiment.toml");
    }
    return 0;
}
