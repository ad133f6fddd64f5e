// Progress of long work: "step 120/800  loss 2.413  41,200 tok/s  ETA 1m12s". On a terminal one line
// is redrawn in place; otherwise (CI, logs) a plain line is printed every `every` updates.
// Timing is for display only: nothing measured here ever reaches an artifact.
#pragma once
#include <cstdint>
#include <string>

namespace wg {

struct Progress {
    Progress(std::string label, int64_t total, int64_t every);
    // done = units finished so far; tokens = tokens processed in total; extra = e.g. "loss 2.41".
    void update(int64_t done, int64_t tokens, const std::string& extra);
    void finish(const std::string& extra);
    double seconds() const;

  private:
    std::string label_;
    int64_t total_, every_, last_printed_ = -1;
    bool tty_;
    double start_;  // seconds_now() at construction
    std::string line(int64_t done, int64_t tokens, const std::string& extra) const;
};

std::string format_duration(double seconds);
// Seconds on a steady clock since an arbitrary start: differences time a stage (for display only).
double seconds_now();

}  // namespace wg
