#include "model/model_file.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "mlrt/error.hpp"

namespace mlrt::cli {

ModelSource read_model_file(const std::string& path) {
    std::error_code ec;
    const bool directory = std::filesystem::is_directory(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (!in || directory) {
        const char* why = directory                            ? "it is a directory"
                          : !std::filesystem::exists(path, ec) ? "no such file"
                                                               : "permission denied";
        throw Error(ErrorKind::Io, "cannot read model '" + path + "': " + why);
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(ErrorKind::Io, "cannot read model '" + path + "': read error");
    return ModelSource::from_bytes(std::move(bytes), path);
}

}  // namespace mlrt::cli
