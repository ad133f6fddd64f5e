#include "repro/answers.h"

#include <algorithm>

#include "core/error.h"
#include "core/fileio.h"
#include "text/jsonl.h"

namespace wg {

TopAnswers top_answers(const std::vector<std::string>& samples_paths, const std::string& form, size_t k) {
    std::map<std::string, std::map<std::string, int>> counts;  // class -> answer -> count
    TopAnswers out;
    for (const auto& path : samples_paths)
        for_each_json_line(read_file(path), path, [&](const json::Value& v, size_t line) {
            const json::Value *f = v.get("form"), *a = v.get("answer"), *c = v.get("class");
            if (!f || !a || !c || f->kind != json::Value::String || a->kind != json::Value::String ||
                c->kind != json::Value::String)
                fail("%s:%zu: expected a sample {\"form\": ..., \"answer\": ..., \"class\": ...}", path.c_str(), line);
            if (f->str != form) return;
            out.n++;
            counts[c->str][a->str]++;
        });
    for (const auto& [cls, answers] : counts) {
        std::vector<std::pair<std::string, int>> v(answers.begin(), answers.end());
        // Stable on the map's byte order, so equal counts keep it.
        std::stable_sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
        if (v.size() > k) v.resize(k);
        out.by_class[cls] = std::move(v);
    }
    return out;
}

}  // namespace wg
