// The on-disk cache of fp16-converted models: hits, keys, corrupt entries, and where it lives.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "fp16_test_models.hpp"
#include "mlrt/error.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {
namespace {

namespace fs = std::filesystem;

class Fp16Cache : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("mlrt_fp16_cache_test_" + std::string(info->name()) + "_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::remove_all(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::vector<fs::path> entries() const {
        std::vector<fs::path> files;
        if (!fs::exists(dir_)) return files;
        for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        return files;
    }

    static std::string model_bytes() { return conv_relu_model().SerializeAsString(); }

    static std::string expected(const Fp16Options& o) {
        onnx::ModelProto model = conv_relu_model();
        convert_to_fp16(model, o);
        return model.SerializeAsString();
    }

    static void expect_equivalent(const std::string& got, const std::string& want) {
        onnx::ModelProto a;
        onnx::ModelProto b;
        ASSERT_TRUE(a.ParseFromString(got));
        ASSERT_TRUE(b.ParseFromString(want));
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
    }

    fs::path dir_;
};

TEST_F(Fp16Cache, MissThenHit) {
    const Fp16Options o = options();
    const std::string first = convert_to_fp16_cached(model_bytes(), o, dir_);
    expect_equivalent(first, expected(o));
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    // A hit must not rewrite the entry: backdate it and check the date survives.
    const auto old = fs::last_write_time(files[0]) - std::chrono::hours(24);
    fs::last_write_time(files[0], old);
    const std::string second = convert_to_fp16_cached(model_bytes(), o, dir_);
    EXPECT_EQ(second, first);
    EXPECT_EQ(fs::last_write_time(files[0]), old);
    EXPECT_EQ(entries(), files);
}

TEST_F(Fp16Cache, DifferentOptionsAreDifferentEntries) {
    convert_to_fp16_cached(model_bytes(), options(), dir_);
    convert_to_fp16_cached(model_bytes(), options({"Relu"}), dir_);
    EXPECT_EQ(entries().size(), 2u);
    convert_to_fp16_cached(model_bytes(), options(default_fp16_blacklist(), false, true), dir_);
    convert_to_fp16_cached(model_bytes(), options(default_fp16_blacklist(), true, false), dir_);
    EXPECT_EQ(entries().size(), 4u);
    // Same set of ops in another order and with a duplicate: same entry.
    auto shuffled = default_fp16_blacklist();
    std::reverse(shuffled.begin(), shuffled.end());
    shuffled.push_back("Resize");
    const std::string again = convert_to_fp16_cached(model_bytes(), options(shuffled), dir_);
    EXPECT_EQ(entries().size(), 4u);
    expect_equivalent(again, expected(options()));
    // A different model is a different entry.
    onnx::ModelProto other = conv_relu_model();
    other.mutable_graph()->mutable_initializer(1)->set_raw_data(
        raw_float_tensor("B", {4}, {1, 2, 3, 4}).raw_data());
    convert_to_fp16_cached(other.SerializeAsString(), options(), dir_);
    EXPECT_EQ(entries().size(), 5u);
}

TEST_F(Fp16Cache, CorruptEntriesAreRebuilt) {
    const Fp16Options o = options();
    const std::string want = expected(o);
    const std::string first = convert_to_fp16_cached(model_bytes(), o, dir_);
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    const auto full_size = fs::file_size(files[0]);

    // Truncated (a partial write).
    fs::resize_file(files[0], full_size / 2);
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, dir_), want);
    EXPECT_EQ(fs::file_size(files[0]), full_size);

    // One flipped byte in the payload.
    {
        std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(full_size - 5));
        char byte = 0;
        f.read(&byte, 1);
        byte = static_cast<char>(byte ^ 0x5a);
        f.seekp(static_cast<std::streamoff>(full_size - 5));
        f.write(&byte, 1);
    }
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, dir_), want);

    // Garbage of the right size.
    {
        std::ofstream f(files[0], std::ios::binary | std::ios::trunc);
        f << std::string(static_cast<std::size_t>(full_size), 'x');
    }
    const std::string rebuilt = convert_to_fp16_cached(model_bytes(), o, dir_);
    EXPECT_EQ(rebuilt, first);
    // And the rebuilt entry is served again.
    fs::last_write_time(files[0], fs::last_write_time(files[0]) - std::chrono::hours(1));
    const auto stamp = fs::last_write_time(files[0]);
    EXPECT_EQ(convert_to_fp16_cached(model_bytes(), o, dir_), first);
    EXPECT_EQ(fs::last_write_time(files[0]), stamp);
    EXPECT_EQ(entries().size(), 1u);  // no temporary files left behind
}

TEST_F(Fp16Cache, UnwritableCacheStillConverts) {
    fs::create_directories(dir_);
    const fs::path file = dir_ / "not_a_directory";
    std::ofstream(file) << "x";
    const Fp16Options o = options();
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, file / "cache"), expected(o));
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, fs::path()), expected(o));
}

TEST_F(Fp16Cache, UnparseableBytesAreAnInvalidModel) {
    try {
        convert_to_fp16_cached("definitely not an onnx model", options(), dir_);
        ADD_FAILURE() << "no error";
    } catch (const mlrt::Error& e) {
        EXPECT_EQ(e.kind(), mlrt::ErrorKind::InvalidModel);
    }
    EXPECT_TRUE(entries().empty());
}

#if !defined(_WIN32)
// Restores an environment variable on scope exit.
class EnvGuard {
  public:
    explicit EnvGuard(const char* name) : name_(name) {
        if (const char* v = std::getenv(name)) old_ = v;
    }
    ~EnvGuard() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(Fp16CacheDir, EnvironmentPrecedence) {
    EnvGuard a("MLRT_CACHE_DIR"), b("XDG_CACHE_HOME"), c("HOME");
    setenv("MLRT_CACHE_DIR", "/x/mlrt", 1);
    setenv("XDG_CACHE_HOME", "/x/xdg", 1);
    setenv("HOME", "/x/home", 1);
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/mlrt"));
    unsetenv("MLRT_CACHE_DIR");
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/xdg") / "mlrt");
    unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/home") / ".cache" / "mlrt");
    unsetenv("HOME");
    EXPECT_FALSE(mlrt::detail::default_cache_dir().empty());
}
#endif

}  // namespace
}  // namespace mlrt::test::fp16
