#include "eval/questions.h"

#include "core/error.h"
#include "core/toml_read.h"

namespace wg {

static std::vector<std::string> strings(const toml::node* n, const std::string& where) {
    std::vector<std::string> out;
    const toml::array* a = n ? n->as_array() : nullptr;
    if (!a) fail("%s: expected an array of strings", where.c_str());
    for (const auto& v : *a) {
        if (!v.is_string()) fail("%s: expected an array of strings", where.c_str());
        out.push_back(v.as_string()->get());
    }
    return out;
}

world::EvalSet read_eval_toml(const std::string& path) {
    toml::table root = parse_toml_file(path);
    TomlTable top{root, path, ""};
    top.only({"experiment", "facts_xxh3", "note", "answer_prefix", "answer_suffix", "forms", "question"});
    world::EvalSet e;
    e.experiment = top.string("experiment", "");
    e.note = top.string("note", "");
    e.answer_prefix = top.string("answer_prefix", "");
    e.answer_suffix = top.string("answer_suffix", "");
    e.forms = strings(root.get("forms"), path + ": forms");
    for (const auto& f : e.forms)
        if (f.find("{q}") == std::string::npos) fail("%s: form \"%s\" has no {q}", path.c_str(), f.c_str());
    const toml::array* qs = root.get("question") ? root.get("question")->as_array() : nullptr;
    if (!qs || qs->empty()) fail("%s: no [[question]]", path.c_str());
    for (size_t i = 0; i < qs->size(); i++) {
        const toml::table* t = (*qs)[i].as_table();
        if (!t) fail("%s: question %zu is not a table", path.c_str(), i + 1);
        TomlTable q{*t, path, "question " + std::to_string(i + 1)};
        q.only({"id", "text", "classes"});
        world::EvalQuestion eq;
        eq.id = q.string("id", "");
        eq.text = q.string("text", "");
        if (eq.id.empty() || eq.text.empty()) fail("%s: question %zu needs an id and a text", path.c_str(), i + 1);
        const toml::table* cl = q.table("classes");
        if (!cl) fail("%s: question %s has no classes", path.c_str(), eq.id.c_str());
        for (const auto& [k, v] : *cl)
            eq.classes.push_back({std::string(k.str()), strings(&v, path + ": " + eq.id + "." + std::string(k.str()))});
        e.questions.push_back(std::move(eq));
    }
    return e;
}

}  // namespace wg
