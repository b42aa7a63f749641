#include "model/model_names.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "mlrt/error.hpp"

namespace mlrt::cli {

namespace {

bool looks_like_path(const std::string& s) {
    return s.find('/') != std::string::npos ||
           (s.size() > 5 && s.compare(s.size() - 5, 5, ".onnx") == 0);
}

std::string megabytes(std::uint64_t bytes) {
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

}  // namespace

config::ModelStoreOptions store_options(bool quiet, bool offline) {
    config::ModelStoreOptions o;
    o.offline = offline;
    if (quiet) return o;
    const bool terminal = isatty(STDERR_FILENO) != 0;
    o.notice = [terminal](const std::string& message) {
        if (terminal) std::fputs("\r\033[K", stderr);
        std::fprintf(stderr, "mlrt: %s\n", message.c_str());
    };
    if (terminal)
        o.progress = [](const config::PullProgress& p) {
            if (p.total > 0)
                std::fprintf(stderr, "\r\033[Kmlrt: %s %s: %s of %s (%d%%)", p.stage.c_str(),
                             p.name.c_str(), megabytes(p.done).c_str(), megabytes(p.total).c_str(),
                             static_cast<int>(100.0 * static_cast<double>(p.done) /
                                              static_cast<double>(p.total)));
            else
                std::fprintf(stderr, "\r\033[Kmlrt: %s %s: %s", p.stage.c_str(), p.name.c_str(),
                             megabytes(p.done).c_str());
            std::fflush(stderr);
        };
    return o;
}

std::optional<config::CatalogueEntry> resolve_model_name(std::string& model, bool quiet) {
    std::error_code ec;
    if (std::filesystem::exists(model, ec) || looks_like_path(model) || model.empty())
        return std::nullopt;
    config::ModelStore store(store_options(quiet, false));
    const config::CatalogueEntry entry = store.entry(model);  // refuses an unknown name
    if (!store.is_pulled(model) && !quiet)
        std::fprintf(stderr, "mlrt: %s is not in %s yet: pulling it first (once)\n", model.c_str(),
                     store.dir().c_str());
    model = store.path(model);
    return entry;
}

void resolve_model_argument(std::string& model, CLI::App& command, bool quiet) {
    const std::optional<config::CatalogueEntry> entry = resolve_model_name(model, quiet);
    if (!entry) return;
    const std::vector<std::string>& flags = entry->flags;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        const std::string& name = flags[i];
        const bool has_value = i + 1 < flags.size() && flags[i + 1].rfind("--", 0) != 0;
        const std::string value = has_value ? flags[++i] : "true";
        CLI::Option* option =
            name.rfind("--", 0) == 0 ? command.get_option_no_throw(name) : nullptr;
        if (option == nullptr)
            throw Error(ErrorKind::InvalidArgument,
                        fmt::format("model '{}' (catalogue {}) asks for flag '{}', which `mlrt {}` "
                                    "does not have",
                                    entry->name, entry->catalogue, name, command.get_name()));
        if (option->count() != 0) continue;  // the user's own value wins
        option->add_result(value);
        option->run_callback();
        if (!quiet)
            std::fprintf(stderr, "mlrt: %s: %s%s (from the catalogue)\n", entry->name.c_str(),
                         name.c_str(), has_value ? (" " + value).c_str() : "");
    }
}

}  // namespace mlrt::cli
