// The configuration layer's one option parser from the command line, for suites outside C++:
//   mlrt_engine_args [--default-tile-mode literal|balanced] KEY=VALUE...
// VALUE is typed by a prefix: i:3, b:true, s:CPU, l:16,8 (integers), ls:Relu,Conv (strings).
// Prints the options the parser made, as the arguments that give them back (a Python dict), or
// `error: <message>` with exit status 1.
#include "mlrt/config/engine_args.hpp"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "mlrt/error.hpp"

namespace {

mlrt::config::ArgValue parse_value(const std::string& text) {
    const auto colon = text.find(':');
    const std::string kind = text.substr(0, colon), value = text.substr(colon + 1);
    auto split = [&] {
        std::vector<std::string> parts;
        std::stringstream in(value);
        for (std::string p; std::getline(in, p, ',');) parts.push_back(p);
        return parts;
    };
    if (kind == "i") return std::int64_t{std::stoll(value)};
    if (kind == "b") return value == "true" || value == "1";
    if (kind == "s") return value;
    if (kind == "ls") return split();
    if (kind == "l") {
        std::vector<std::int64_t> ints;
        for (const auto& p : split()) ints.push_back(std::stoll(p));
        return ints;
    }
    throw std::invalid_argument("unknown value kind in '" + text + "'");
}

}  // namespace

int main(int argc, char** argv) {
    mlrt::TileMode mode = mlrt::TileMode::Literal;
    mlrt::config::ArgMap args;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--default-tile-mode" && i + 1 < argc) {
                mode = std::strcmp(argv[++i], "balanced") == 0 ? mlrt::TileMode::Balanced
                                                               : mlrt::TileMode::Literal;
                continue;
            }
            const auto eq = a.find('=');
            if (eq == std::string::npos) throw std::invalid_argument("expected KEY=VALUE: " + a);
            args[a.substr(0, eq)] = parse_value(a.substr(eq + 1));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlrt_engine_args: %s\n", e.what());
        return 2;
    }
    try {
        const auto options = mlrt::config::engine_options_from_args(args, mode);
        std::printf("%s\n", mlrt::config::to_string(mlrt::config::engine_args_of(options)).c_str());
        return 0;
    } catch (const mlrt::Error& e) {
        std::printf("error: %s\n", e.what());
        return 1;
    }
}
