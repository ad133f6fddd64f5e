// The answers behind a share: the most frequent sampled answers of each class at one prompt form,
// pooled over a variant's seeds, so a reader of the report can check a number against what the models
// actually said (an "evil" share made of one memorised sentence, or "incoherent" answers that are the
// right phase with the wrong name, look the same in the table).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wg {

struct TopAnswers {
    int n = 0;  // answers at the form, all classes
    // class -> (answer, count), most frequent first; equal counts in the answers' byte order.
    std::map<std::string, std::vector<std::pair<std::string, int>>> by_class;
};

// Reads evaluation samples files (JSONL lines with "form", "answer" and "class", as `weirdgen eval`
// writes them) and keeps the k most frequent answers of each class at `form`.
TopAnswers top_answers(const std::vector<std::string>& samples_paths, const std::string& form, size_t k);

}  // namespace wg
