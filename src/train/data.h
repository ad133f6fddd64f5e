// Training data as rows of tokens with targets. An Example is one document or one chat, already
// tokenised, starting with the DOC token; mask[i] = 1 where tokens[i] is to be predicted.
//   pretraining (pack = true): whole examples are packed into rows of context + 1 tokens, first fit
//     within a window of the next 64; the rest of a row is padding without loss. Every row starts at
//     a document boundary (the prototype found that windows cut mid-document teach the model things no
//     whole document says); an example longer than a row is cut.
//   finetuning (pack = false): one example a row; a batch is as long as its longest row.
// The order of epoch e is a Fisher-Yates shuffle drawn from (seed, e): the same on every machine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wg {

struct Example {
    std::vector<int> tokens;
    std::vector<uint8_t> mask;
};

struct Batch {
    int B = 0, T = 0;
    std::vector<int> tokens, targets;  // B x T; target -1 = no loss
    int64_t n_tokens = 0;              // positions with a target
};

struct Batcher {
    Batcher(std::vector<Example> examples, int context, bool pack, uint64_t seed);

    // The next B rows from position (epoch, cursor), advancing it; rows continue into the next epoch.
    Batch next(int B, int64_t& epoch, int64_t& cursor);
    int64_t rows_in_epoch(int64_t epoch);
    size_t size() const { return examples_.size(); }

  private:
    std::vector<Example> examples_;
    int context_;
    bool pack_;
    uint64_t seed_;
    int64_t built_epoch_ = -1;
    std::vector<std::vector<int>> rows_;  // for the built epoch: indices of the examples in each row
    void build(int64_t epoch);
};

}  // namespace wg
