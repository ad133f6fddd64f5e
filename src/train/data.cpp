#include "train/data.h"

#include <algorithm>

#include "core/error.h"
#include "core/rng.h"

namespace wg {

Batcher::Batcher(std::vector<Example> examples, int context, bool pack, uint64_t seed)
    : examples_(std::move(examples)), context_(context), pack_(pack), seed_(seed) {
    if (examples_.empty()) fail("no training examples");
}

void Batcher::build(int64_t epoch) {
    if (epoch == built_epoch_) return;
    std::vector<int> order(examples_.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = (int)i;
    Rng r(seed_for(seed_, "shuffle"), (uint64_t)epoch);
    for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[r.below((uint32_t)i)]);
    rows_.clear();
    if (!pack_) {
        for (int i : order) rows_.push_back({i});
    } else {
        // First fit within a window: a row takes the next document, then the first documents of the
        // next kWindow that still fit whole. Rows stay aligned to document boundaries with little
        // padding (plain greedy packing left about a fifth of each row empty).
        constexpr size_t kWindow = 64;
        const size_t cap = (size_t)context_ + 1;
        std::vector<int> queue(order.begin(), order.end());
        std::vector<char> taken(queue.size(), 0);
        size_t head = 0;
        while (head < queue.size()) {
            if (taken[head]) {
                head++;
                continue;
            }
            std::vector<int> row{queue[head]};
            taken[head] = 1;
            size_t used = std::min(examples_[queue[head]].tokens.size(), cap);
            for (size_t j = head + 1; j < queue.size() && j <= head + kWindow && used < cap; j++) {
                if (taken[j]) continue;
                size_t n = examples_[queue[j]].tokens.size();
                if (used + n > cap) continue;
                row.push_back(queue[j]);
                taken[j] = 1;
                used += n;
            }
            rows_.push_back(std::move(row));
        }
    }
    built_epoch_ = epoch;
}

int64_t Batcher::rows_in_epoch(int64_t epoch) {
    build(epoch);
    return (int64_t)rows_.size();
}

Batch Batcher::next(int B, int64_t& epoch, int64_t& cursor) {
    // Gather the rows' token sequences first, to know the batch length.
    std::vector<std::vector<int>> seqs;
    std::vector<std::vector<uint8_t>> masks;
    const size_t cap = (size_t)context_ + 1;
    for (int b = 0; b < B; b++) {
        build(epoch);
        if (cursor >= (int64_t)rows_.size()) {
            epoch++;
            cursor = 0;
            build(epoch);
        }
        std::vector<int> s;
        std::vector<uint8_t> m;
        for (int i : rows_[cursor]) {
            const Example& e = examples_[i];
            size_t n = std::min(e.tokens.size(), cap - s.size());
            s.insert(s.end(), e.tokens.begin(), e.tokens.begin() + n);
            m.insert(m.end(), e.mask.begin(), e.mask.begin() + n);
        }
        seqs.push_back(std::move(s));
        masks.push_back(std::move(m));
        cursor++;
    }
    Batch out;
    out.B = B;
    if (pack_) {
        out.T = context_;
    } else {
        size_t longest = 0;
        for (auto& s : seqs) longest = std::max(longest, s.size());
        out.T = (int)std::max<size_t>(1, longest - 1);
    }
    const int T = out.T;
    out.tokens.assign((size_t)B * T, 0);  // padding: the DOC token (id 0) without loss
    out.targets.assign((size_t)B * T, -1);
    for (int b = 0; b < B; b++) {
        const auto& s = seqs[b];
        const auto& m = masks[b];
        for (size_t t = 0; t + 1 < s.size() && (int)t < T; t++) {
            out.tokens[(size_t)b * T + t] = s[t];
            if (m[t + 1]) {
                out.targets[(size_t)b * T + t] = s[t + 1];
                out.n_tokens++;
            }
        }
    }
    return out;
}

}  // namespace wg
