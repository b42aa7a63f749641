// Replays every input the fuzzers found (fuzz/regressions/<target>/) through the same code, so
// a fixed crash stays fixed in the normal suite. Each input must end cleanly: success, or an
// mlrt::Error with a message. An input with a sidecar `<name>.expect` must end as it says:
// "ok", or "error: <text the message contains>".
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"

namespace {

namespace fs = std::filesystem;
using Target = mlrt::fuzz::Outcome (*)(const std::uint8_t*, std::size_t);

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> inputs_of(const char* target) {
    std::vector<fs::path> found;
    const auto dir = fs::path(MLRT_SOURCE_DIR) / "fuzz" / "regressions" / target;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.starts_with(".") && !name.ends_with(".expect"))
            found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

void replay(const char* target, Target run) {
    const auto inputs = inputs_of(target);
    if (inputs.empty())
        GTEST_SKIP() << "no inputs recorded in fuzz/regressions/" << target
                     << " (the fuzzer has found nothing there yet)";
    for (const auto& input : inputs) {
        SCOPED_TRACE(input.string());
        const std::string bytes = read_all(input);
        const mlrt::fuzz::Outcome outcome =
            run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        if (!outcome.ok) {
            EXPECT_FALSE(outcome.error.empty()) << "an error without a message";
        }
        auto expect_path = input;
        expect_path += ".expect";
        if (!fs::exists(expect_path)) continue;
        std::string expected = read_all(expect_path);
        while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r'))
            expected.pop_back();
        if (expected == "ok") {
            EXPECT_TRUE(outcome.ok) << "expected success, got: " << outcome.error;
        } else {
            ASSERT_TRUE(expected.starts_with("error: ")) << "bad sidecar: " << expected;
            const std::string part = expected.substr(7);
            ASSERT_FALSE(outcome.ok) << "expected an error containing '" << part << "'";
            EXPECT_NE(outcome.error.find(part), std::string::npos)
                << "'" << outcome.error << "' lacks '" << part << "'";
        }
    }
    ::testing::Test::RecordProperty("inputs", static_cast<int>(inputs.size()));
}

}  // namespace

TEST(FuzzRegressions, ModelLoad) {
    replay("model_load", mlrt::fuzz::model_load_outcome);
}
TEST(FuzzRegressions, Args) {
    replay("args", mlrt::fuzz::args_outcome);
}
TEST(FuzzRegressions, Fp16Convert) {
    replay("fp16_convert", mlrt::fuzz::fp16_convert_outcome);
}
