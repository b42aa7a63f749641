// The on-disk cache of int8 models: hits, what keys an entry, and corrupt entries rebuilt.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "int8_test_support.hpp"
#include "support/temp_dir.hpp"

namespace mlrt::test::int8 {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Int8Cache : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        model_ = new std::string(conv_stack_model(stack_spec(3, 8)));
        calibration_ =
            new std::shared_ptr<const Int8Calibration>(calibrate(*model_, {frame(32, 24, 3)}));
    }
    static void TearDownTestSuite() {
        delete model_;
        delete calibration_;
        model_ = nullptr;
        calibration_ = nullptr;
    }

    // The cache's files (anything in the directory, temporaries included), sorted.
    std::vector<fs::path> entries() const {
        std::vector<fs::path> files;
        if (!fs::exists(dir_.path())) return files;
        for (const auto& e : fs::directory_iterator(dir_.path())) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        return files;
    }

    Frame load_and_run(std::shared_ptr<const Int8Calibration> c,
                       std::optional<std::vector<std::string>> blacklist = {}) const {
        return run(*model_, input_, int8_options(std::move(c), dir_.path(), std::move(blacklist)));
    }

    static detail::int8::ConvertOptions convert_options(std::vector<std::string> blacklist = {}) {
        detail::int8::ConvertOptions o;
        o.quantize.blacklist = std::move(blacklist);
        return o;
    }

    // The conversion without a cache.
    static std::string fresh(const detail::int8::ConvertOptions& o) {
        return detail::int8::quantize_cached(*model_, "stack", **calibration_, o, {});
    }

    static std::string* model_;
    static std::shared_ptr<const Int8Calibration>* calibration_;
    TempDir dir_{"mlrt-int8-cache"};
    Frame input_ = frame(32, 24, 7);
};

std::string* Int8Cache::model_ = nullptr;
std::shared_ptr<const Int8Calibration>* Int8Cache::calibration_ = nullptr;

TEST_F(Int8Cache, SecondLoadHits) {
    const Frame first = load_and_run(*calibration_);
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    const std::string name = files[0].filename().string();
    EXPECT_TRUE(name.starts_with("int8-") && name.ends_with(".onnx")) << name;
    EXPECT_EQ(name.size(), std::string("int8-.onnx").size() + 32) << name;
    const std::string contents = read_file(files[0]);
    // A hit must not rewrite the entry: backdate it and check the date survives.
    const auto old = fs::last_write_time(files[0]) - std::chrono::hours(24);
    fs::last_write_time(files[0], old);

    // An equal calibration in another object (as loaded from a file) hits too.
    const auto again = std::make_shared<const Int8Calibration>(
        Int8Calibration::parse((*calibration_)->serialize(), "copy"));
    const Frame second = load_and_run(again);
    EXPECT_EQ(entries(), files);
    EXPECT_EQ(fs::last_write_time(files[0]), old);
    EXPECT_EQ(read_file(files[0]), contents);
    EXPECT_TRUE(identical(first, second));
}

TEST_F(Int8Cache, BlacklistAndCalibrationKeyTheEntry) {
    load_and_run(*calibration_, std::vector<std::string>{});
    EXPECT_EQ(entries().size(), 1u);
    load_and_run(*calibration_, std::nullopt);  // the default {"first", "last"}
    EXPECT_EQ(entries().size(), 2u);
    load_and_run(*calibration_, std::vector<std::string>{"Conv_3"});
    EXPECT_EQ(entries().size(), 3u);
    // The same set in another order, with a duplicate: the same entry.
    load_and_run(*calibration_, std::vector<std::string>{"last", "first", "last"});
    EXPECT_EQ(entries().size(), 3u);

    // One range moved: a new entry, and a different model.
    auto changed = std::make_shared<Int8Calibration>(**calibration_);
    ASSERT_FALSE(changed->ranges.empty());
    for (auto& r : changed->ranges)
        if (r.tensor == "conv0_relu") r.hi *= 2.0f;
    const auto before = entries();
    load_and_run(changed, std::vector<std::string>{});
    const auto after = entries();
    ASSERT_EQ(after.size(), 4u);
    std::vector<fs::path> added;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(added));
    ASSERT_EQ(added.size(), 1u);
    for (const auto& f : before) EXPECT_NE(read_file(f), read_file(added[0])) << f;

    // Only the metadata of the calibration differs: still a different key (the text is).
    auto renamed = std::make_shared<Int8Calibration>(**calibration_);
    renamed->frames += 1;
    load_and_run(renamed, std::vector<std::string>{});
    EXPECT_EQ(entries().size(), 5u);
}

TEST_F(Int8Cache, ReduceRangeAndIoTypesKeyTheEntry) {
    detail::int8::quantize_cached(*model_, "stack", **calibration_, convert_options(), dir_.path());
    EXPECT_EQ(entries().size(), 1u);
    auto o = convert_options();
    o.quantize.reduce_range = true;
    detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path());
    EXPECT_EQ(entries().size(), 2u);
    o = convert_options();
    o.input_float32 = false;
    detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path());
    EXPECT_EQ(entries().size(), 3u);
    o = convert_options();
    o.output_float32 = false;
    detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path());
    EXPECT_EQ(entries().size(), 4u);
}

TEST_F(Int8Cache, CorruptEntriesAreRebuilt) {
    const auto o = convert_options();
    const std::string want = fresh(o);
    ASSERT_EQ(detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path()),
              want);
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    const std::string good = read_file(files[0]);

    // Truncated (a partial write).
    fs::resize_file(files[0], good.size() / 2);
    EXPECT_EQ(detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path()),
              want);
    EXPECT_EQ(read_file(files[0]), good) << "the truncated entry was not rewritten";

    // Flipped bytes in the payload, and then in the header.
    for (const std::size_t at : {good.size() - 5, std::size_t{12}}) {
        SCOPED_TRACE("byte " + std::to_string(at));
        std::string bad = good;
        bad[at] = static_cast<char>(bad[at] ^ 0x5a);
        std::ofstream(files[0], std::ios::binary | std::ios::trunc) << bad;
        ASSERT_EQ(read_file(files[0]), bad);
        EXPECT_EQ(detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path()),
                  want);
        EXPECT_EQ(read_file(files[0]), good);
    }

    // An empty file.
    std::ofstream(files[0], std::ios::binary | std::ios::trunc).close();
    EXPECT_EQ(detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path()),
              want);
    EXPECT_EQ(entries(), files);
}

TEST_F(Int8Cache, CorruptEntryThroughTheEngine) {
    const Frame want = load_and_run(*calibration_);
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    const std::string good = read_file(files[0]);
    std::string bad = good;
    for (std::size_t i = good.size() / 2; i < good.size() / 2 + 16; ++i) bad[i] = '\0';
    std::ofstream(files[0], std::ios::binary | std::ios::trunc) << bad;
    const Frame got = load_and_run(*calibration_);
    EXPECT_TRUE(identical(want, got));
    EXPECT_EQ(read_file(files[0]), good);
}

TEST_F(Int8Cache, CachedEqualsUncached) {
    const auto o = convert_options({"first"});
    const std::string cached =
        detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path());
    EXPECT_EQ(cached, fresh(o));
    EXPECT_EQ(detail::int8::quantize_cached(*model_, "stack", **calibration_, o, dir_.path()),
              cached);
    // The cached model is the quantizer's output, I/O adapted.
    onnx::ModelProto direct = parse(*model_);
    RangeTable ranges;
    for (const auto& r : (*calibration_)->ranges) ranges[r.tensor] = {r.lo, r.hi};
    quantize(direct, ranges, o.quantize);
    EXPECT_EQ(cached, direct.SerializeAsString());
}

}  // namespace
}  // namespace mlrt::test::int8
