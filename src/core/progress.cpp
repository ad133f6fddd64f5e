#include "core/progress.h"

#include <chrono>
#include <cstdio>
#include <unistd.h>

#include "core/error.h"

namespace wg {

double seconds_now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string format_duration(double s) {
    if (s < 60) return strfmt("%.1fs", s);
    int t = (int)(s + 0.5);
    if (t < 3600) return strfmt("%dm%02ds", t / 60, t % 60);
    return strfmt("%dh%02dm", t / 3600, (t % 3600) / 60);
}

Progress::Progress(std::string label, int64_t total, int64_t every)
    : label_(std::move(label)), total_(total), every_(every < 1 ? 1 : every),
      tty_(isatty(fileno(stderr))), start_(seconds_now()) {}

double Progress::seconds() const { return seconds_now() - start_; }

std::string Progress::line(int64_t done, int64_t tokens, const std::string& extra) const {
    double el = seconds();
    std::string s = strfmt("%s %lld/%lld", label_.c_str(), (long long)done, (long long)total_);
    if (!extra.empty()) s += "  " + extra;
    if (el > 0 && tokens > 0) s += strfmt("  %.0f tok/s", tokens / el);
    if (done > 0 && done < total_) s += "  ETA " + format_duration(el * (double)(total_ - done) / done);
    else s += "  " + format_duration(el);
    return s;
}

void Progress::update(int64_t done, int64_t tokens, const std::string& extra) {
    if (tty_) {
        fprintf(stderr, "\r\033[K%s", line(done, tokens, extra).c_str());
        fflush(stderr);
    } else if (done == 1 || done / every_ != last_printed_ / every_ || done == total_) {
        fprintf(stderr, "%s\n", line(done, tokens, extra).c_str());
    }
    last_printed_ = done;
}

void Progress::finish(const std::string& extra) {
    if (tty_) fprintf(stderr, "\r\033[K");
    fprintf(stderr, "%s: done in %s%s%s\n", label_.c_str(), format_duration(seconds()).c_str(),
            extra.empty() ? "" : ", ", extra.c_str());
}

}  // namespace wg
