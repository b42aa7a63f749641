// Replays every input the fuzzers found (fuzz/regressions/<target>/) through the same code, so
// a fixed crash stays fixed in the normal suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/targets.hpp"

namespace {

int replay(const char* target, int (*run)(const std::uint8_t*, std::size_t)) {
    int count = 0;
    const auto dir = std::filesystem::path(MLRT_SOURCE_DIR) / "fuzz" / "regressions" / target;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        SCOPED_TRACE(entry.path().string());
        run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++count;
    }
    return count;
}

}  // namespace

TEST(FuzzRegressions, ModelLoad) {
    RecordProperty("inputs", replay("model_load", mlrt::fuzz::model_load));
}
TEST(FuzzRegressions, Args) {
    RecordProperty("inputs", replay("args", mlrt::fuzz::args));
}
TEST(FuzzRegressions, Fp16Convert) {
    RecordProperty("inputs", replay("fp16_convert", mlrt::fuzz::fp16_convert));
}
