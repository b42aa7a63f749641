#include "vsmap_args.hpp"

#include <string>
#include <vector>

namespace mlrt::vs {
namespace {

// Arguments VapourSynth declares as lists: they stay lists even with one element, so that
// [8] and 8 mean the same to the configuration layer.
bool is_list_arg(const std::string& key) {
    return key == "overlap" || key == "tilesize" || key == "fp16_blacklist_ops";
}

}  // namespace

config::ArgMap args_from_vsmap(const VSMap* in, const VSAPI* vsapi) {
    config::ArgMap args;
    const int keys = vsapi->mapNumKeys(in);
    for (int k = 0; k < keys; ++k) {
        const std::string key = vsapi->mapGetKey(in, k);
        const int n = vsapi->mapNumElements(in, key.c_str());
        int err = 0;
        switch (vsapi->mapGetType(in, key.c_str())) {
            case ptInt: {
                std::vector<std::int64_t> values;
                values.reserve(static_cast<std::size_t>(n));
                for (int i = 0; i < n; ++i)
                    values.push_back(vsapi->mapGetInt(in, key.c_str(), i, &err));
                if (n == 1 && !is_list_arg(key))
                    args[key] = values.front();
                else
                    args[key] = values;
                break;
            }
            case ptFloat: {
                std::vector<double> values;
                values.reserve(static_cast<std::size_t>(n));
                for (int i = 0; i < n; ++i)
                    values.push_back(vsapi->mapGetFloat(in, key.c_str(), i, &err));
                if (n == 1 && !is_list_arg(key))
                    args[key] = values.front();
                else
                    args[key] = values;
                break;
            }
            case ptData: {
                std::vector<std::string> values;
                values.reserve(static_cast<std::size_t>(n));
                for (int i = 0; i < n; ++i) {
                    const char* data = vsapi->mapGetData(in, key.c_str(), i, &err);
                    const int size = vsapi->mapGetDataSize(in, key.c_str(), i, &err);
                    values.emplace_back(data, static_cast<std::size_t>(size));
                }
                if (n == 1 && !is_list_arg(key))
                    args[key] = values.front();
                else
                    args[key] = values;
                break;
            }
            default:
                break;  // clips and functions are not configuration
        }
    }
    return args;
}

}  // namespace mlrt::vs
