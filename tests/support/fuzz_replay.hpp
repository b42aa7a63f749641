#pragma once
// Replays every input a fuzzer found (fuzz/regressions/<target>/) through the same code, so a
// fixed crash stays fixed in the normal suite. Each input must end cleanly: success, or an
// mlrt::Error with a message. An input with a sidecar `<name>.expect` must end as it says:
// "ok", or "error: <text the message contains>".
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/outcome.hpp"

namespace mlrt::test {

using FuzzTarget = mlrt::fuzz::Outcome (*)(const std::uint8_t*, std::size_t);

inline std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::filesystem::path> fuzz_inputs_of(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.starts_with(".") && !name.ends_with(".expect"))
            found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

// `source_dir` is the repository's root.
inline void replay_fuzz_inputs(const std::filesystem::path& source_dir, const char* target,
                               FuzzTarget run) {
    const auto inputs = fuzz_inputs_of(source_dir / "fuzz" / "regressions" / target);
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
        if (!std::filesystem::exists(expect_path)) continue;
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

}  // namespace mlrt::test
