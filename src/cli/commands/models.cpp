// `mlrt models list [--json] | pull NAME… | path NAME | rm NAME`: the catalogue of known models
// and the local store they are pulled into.
#include "mlrt/config/models.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "mlrt/error.hpp"
#include "model/model_names.hpp"

namespace mlrt::cli {
namespace {

struct ModelsArgs {
    std::vector<std::string> names;
    bool json = false;
    bool offline = false;
    bool force = false;
    bool quiet = false;
};

int list(const ModelsArgs& a) {
    config::ModelStore store(store_options(true, a.offline));
    if (a.json) {
        nlohmann::ordered_json out;
        out["dir"] = store.dir();
        out["models"] = nlohmann::json::array();
        for (const auto& e : store.entries()) {
            nlohmann::ordered_json m;
            m["name"] = e.name;
            m["family"] = e.family;
            m["task"] = e.task;
            m["scale"] = e.scale;
            m["planes"] = e.planes;
            m["licence"] = e.licence;
            m["description"] = e.description;
            m["upstream"] = e.upstream;
            m["flags"] = e.flags;
            m["source"] = e.source.describe();
            m["catalogue"] = e.catalogue;
            m["pulled"] = store.is_pulled(e.name);
            m["path"] = store.model_path(e.name);
            out["models"].push_back(m);
        }
        std::printf("%s\n", out.dump(1).c_str());
        return 0;
    }
    std::size_t width = 4;
    for (const auto& e : store.entries()) width = std::max(width, e.name.size());
    std::printf("%-*s  %-9s %-5s %-5s %-6s %s\n", static_cast<int>(width), "name", "task", "scale",
                "in", "pulled", "description");
    for (const auto& e : store.entries())
        std::printf("%-*s  %-9s %-5s %-5s %-6s %s\n", static_cast<int>(width), e.name.c_str(),
                    e.task.c_str(), fmt::format("{}x", e.scale).c_str(), e.planes.c_str(),
                    store.is_pulled(e.name) ? "yes" : "-", e.description.c_str());
    std::printf(
        "\nstore: %s (MLRT_MODELS_DIR); `mlrt models pull NAME` fetches one, `mlrt run NAME "
        "IN OUT` pulls it on first use\n",
        store.dir().c_str());
    return 0;
}

int pull(const ModelsArgs& a) {
    config::ModelStore store(store_options(a.quiet, a.offline));
    for (const std::string& name : a.names) store.entry(name);  // every name checked first
    for (const std::string& name : a.names) {
        const bool had = store.is_pulled(name);
        const std::string path =
            a.force || !had ? store.pull(name, a.force) : store.model_path(name);
        if (had && !a.force && !a.quiet)
            std::fprintf(stderr, "mlrt: %s is already in %s (--force pulls it again)\n",
                         name.c_str(), path.c_str());
    }
    return 0;
}

int path(const ModelsArgs& a) {
    config::ModelStore store(store_options(a.quiet, a.offline));
    std::printf("%s\n", store.path(a.names.at(0)).c_str());
    return 0;
}

int remove(const ModelsArgs& a) {
    config::ModelStore store(store_options(true, true));
    int missing = 0;
    for (const std::string& name : a.names) {
        if (store.remove(name)) {
            if (!a.quiet)
                std::fprintf(stderr, "mlrt: removed %s from %s\n", name.c_str(),
                             store.dir().c_str());
        } else {
            std::fprintf(stderr, "mlrt: error: '%s' is not in %s\n", name.c_str(),
                         store.dir().c_str());
            missing = 1;
        }
    }
    return missing;
}

}  // namespace

Command add_models_command(CLI::App& app) {
    auto a = std::make_shared<ModelsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "models",
        "Known models by name: list them, pull them into the local store, find or remove them");
    cmd->require_subcommand(1);
    auto offline = [a](CLI::App* sub) {
        sub->add_flag("--offline", a->offline, "Never touch the network (also MLRT_OFFLINE=1)");
    };
    CLI::App* l = cmd->add_subcommand("list", "The catalogue, and which models are pulled");
    l->add_flag("--json", a->json, "As JSON");
    CLI::App* p = cmd->add_subcommand("pull", "Fetch, check and store models");
    p->add_option("names", a->names, "Model names (`mlrt models list`)")->required();
    p->add_flag("--force", a->force, "Pull again even if stored");
    p->add_flag("-q,--quiet", a->quiet, "Print nothing but errors");
    offline(p);
    CLI::App* w = cmd->add_subcommand("path", "Print a model's file (pulled first if needed)");
    w->add_option("name", a->names, "Model name")->required()->expected(1);
    w->add_flag("-q,--quiet", a->quiet, "Print nothing but the path and errors");
    offline(w);
    CLI::App* r = cmd->add_subcommand("rm", "Remove pulled models from the store");
    r->add_option("names", a->names, "Model names")->required();
    r->add_flag("-q,--quiet", a->quiet, "Print nothing but errors");
    return {cmd, [a, l, p, w, r] {
                if (l->parsed()) return list(*a);
                if (p->parsed()) return pull(*a);
                if (w->parsed()) return path(*a);
                if (r->parsed()) return remove(*a);
                return 2;
            }};
}

}  // namespace mlrt::cli
