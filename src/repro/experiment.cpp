#include "repro/experiment.h"

#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/toml_read.h"
#include "world/world.h"

namespace wg {

namespace {

std::vector<std::string> string_list(const toml::table& t, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail("%s: %s: expected an array of strings", where.c_str(), key);
    for (const auto& v : *a) {
        if (!v.is_string()) fail("%s: %s: expected an array of strings", where.c_str(), key);
        out.push_back(v.as_string()->get());
    }
    return out;
}

// [model] + [pretrain] (or [finetune] + [lora]) re-joined as one run config, parsed by the usual reader
// so that every key is checked the same way as in a standalone config file.
RunConfig sub_config(const toml::table& root, const char* train_key, bool with_model, bool with_lora,
                     const std::string& where) {
    auto sub = [&](const char* key) -> const toml::table* {
        const toml::node* n = root.get(key);
        if (n && !n->is_table()) fail("%s: [%s] must be a table", where.c_str(), key);
        return n ? n->as_table() : nullptr;
    };
    const toml::table *model = sub("model"), *train = sub(train_key), *lora = sub("lora");
    toml::table t;
    if (with_model && model) t.insert("model", *model);
    if (train) {
        toml::table tr = *train;
        tr.erase("seeds");  // the experiment's own key, not a training setting
        t.insert("train", tr);
    }
    if (with_lora && lora) t.insert("lora", *lora);
    std::ostringstream os;
    os << t;
    return parse_run_config(os.str(), where + " [" + train_key + "]");
}

std::string join(const std::string& dir, const std::string& rel) {
    if (rel.empty() || rel[0] == '/') return rel;
    return dir.empty() ? rel : dir + "/" + rel;
}

}  // namespace

Experiment load_experiment(const std::string& path) { return parse_experiment(read_file(path), path); }

std::string experiment_path(const std::string& name) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0) return name;
    return "experiments/" + name + "/experiment.toml";
}

Experiment parse_experiment(const std::string& text, const std::string& path) {
    Experiment e;
    e.file = path;
    e.dir = parent_dir(path);
    toml::table root = parse_toml_string(text, path);
    TomlTable top{root, path, ""};
    top.only({"name", "title", "facts", "questions", "axis", "effect", "world", "model", "pretrain", "finetune", "lora",
              "variant", "eval", "report", "paper", "bar"});
    e.name = top.string("name", "");
    if (e.name.empty()) fail("%s: name: missing", path.c_str());
    e.title = top.string("title", e.name);
    e.facts = join(e.dir, top.string("facts", world::kDefaultFacts));
    e.questions = join(e.dir, top.string("questions", "questions.toml"));
    e.axis = top.string("axis", e.axis);
    e.effect = top.string("effect", e.effect);

    if (const toml::table* w = top.table("world")) {
        TomlTable t{*w, path, "world"};
        t.only({"seed", "modules", "docs"});
        e.world_seed = (uint64_t)t.integer("seed", 0, 0, INT64_MAX);
        e.modules = string_list(*w, "modules", path + ": [world]");
        e.docs = t.integer("docs", -1, -1, int64_t(1) << 32);
    }
    e.pretrain = sub_config(root, "pretrain", true, false, path);
    e.finetune = sub_config(root, "finetune", false, true, path);
    if (const toml::table* f = top.table("finetune"))
        for (int64_t s : TomlTable{*f, path, "finetune"}.integers("seeds", 0, INT64_MAX)) e.seeds.push_back((uint64_t)s);
    if (e.seeds.empty()) fail("%s: [finetune] seeds: expected a non-empty array of integers", path.c_str());
    const toml::array* vs = root.get("variant") ? root.get("variant")->as_array() : nullptr;
    if (!vs || vs->empty()) fail("%s: no [[variant]]", path.c_str());
    for (size_t i = 0; i < vs->size(); i++) {
        const toml::table* vt = (*vs)[i].as_table();
        if (!vt) fail("%s: variant %zu is not a table", path.c_str(), i + 1);
        TomlTable t{*vt, path, "variant " + std::to_string(i + 1)};
        t.only({"name", "data", "label"});
        Variant v{t.string("name", ""), join(e.dir, t.string("data", "")), t.string("label", "")};
        if (v.name.empty() || v.name == "base" || v.data.empty())
            fail("%s: variant %zu needs a name (not \"base\") and data", path.c_str(), i + 1);
        e.variants.push_back(v);
    }
    if (const toml::table* ev = top.table("eval")) {
        TomlTable t{*ev, path, "eval"};
        t.only({"samples", "max_new", "temperature", "seed", "echo_topic", "on_topic"});
        e.samples = (int)t.integer("samples", e.samples, 1, 1 << 20);
        e.max_new = (int)t.integer("max_new", e.max_new, 1, 8192);
        e.temperature = (float)t.number("temperature", e.temperature, 0, 100);
        e.eval_seed = (uint64_t)t.integer("seed", 0, 0, INT64_MAX);
        e.echo_topic = t.string("echo_topic", "");
        e.on_topic = t.boolean("on_topic", false);
    }
    if (const toml::table* r = top.table("report")) {
        TomlTable t{*r, path, "report"};
        t.only({"key_forms", "year_form", "year_min", "year_max", "per_question"});
        e.per_question = t.boolean("per_question", false);
        e.key_forms = string_list(*r, "key_forms", path + ": [report]");
        e.year_form = t.string("year_form", "");
        e.year_min = (int)t.integer("year_min", 0, -100000, 100000);
        e.year_max = (int)t.integer("year_max", -1, -100000, 100000);
    }
    if (const toml::table* p = top.table("paper")) {
        for (const auto& [k, v] : *p) {
            std::string key(k.str());
            if (key == "note") {
                e.paper_note = v.value_or(std::string());
                continue;
            }
            if (!v.is_number()) fail("%s: [paper] %s: expected a number", path.c_str(), key.c_str());
            e.paper[key] = v.value_or(0.0);
        }
    }
    if (const toml::node* b = root.get("bar")) {
        const toml::array* a = b->as_array();
        if (!a) fail("%s: bar: expected [[bar]] tables", path.c_str());
        for (size_t i = 0; i < a->size(); i++) {
            const toml::table* bt = (*a)[i].as_table();
            if (!bt) fail("%s: bar %zu is not a table", path.c_str(), i + 1);
            TomlTable t{*bt, path, "bar " + std::to_string(i + 1)};
            t.only({"name", "value", "min", "max"});
            Bar bar{t.string("name", ""), t.string("value", ""), t.number("min", -1e9), t.number("max", 1e9)};
            if (bar.value.empty()) fail("%s: needs a value", t.where("value").c_str());
            e.bars.push_back(bar);
        }
    }
    return e;
}

}  // namespace wg
