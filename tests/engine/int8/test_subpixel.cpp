// int8 of a network that upsamples with a ConvTranspose: the conversion turns it into a Conv
// on the integer kernels, its DepthToSpace and Slice move uint8, and no DequantizeLinear ->
// QuantizeLinear identity is left; a calibration that did not observe the rewritten tensor,
// and a blacklist of the op type, keep the ConvTranspose.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/int8/int8.hpp"
#include "int8_test_support.hpp"
#include "support/temp_dir.hpp"

namespace mlrt::test::int8 {
namespace {

std::vector<float> wave(std::size_t n, float phase, float amplitude) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = amplitude * std::sin(static_cast<float>(i) * 0.61f + phase);
    return v;
}

void conv(onnx::GraphProto& g, const std::string& name, const std::string& in,
          const std::string& out, int cin, int cout, float amplitude) {
    const auto n = static_cast<std::size_t>(cin * cout * 9);
    *g.add_initializer() = float_tensor(name + "_w", {cout, cin, 3, 3}, wave(n, 0.3f, amplitude));
    *g.add_initializer() =
        float_tensor(name + "_b", {cout}, wave(static_cast<std::size_t>(cout), 1.0f, 0.05f));
    auto& c = add_node(g, "Conv", {in, name + "_w", name + "_b"}, {out}, name);
    set_ints(c, "pads", {1, 1, 1, 1});
}

// X[1,3,H,W] -> Conv 3->8 -> LeakyRelu -> Conv 8->8 -> LeakyRelu -> ConvTranspose 8->8 (4x4,
// stride 2, pads 1) -> LeakyRelu -> Conv 8->3 -> Y[1,3,2H,2W]. The first and last Conv stay
// float by default; the middle two are quantized.
std::string upsampling_model() {
    onnx::ModelProto m = make_model(13);
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 3, "h", "w"});
    const auto leaky = [&](const std::string& in, const std::string& out) {
        detail::set_float(add_node(g, "LeakyRelu", {in}, {out}, out + "_act"), "alpha", 0.1f);
    };
    conv(g, "head", "X", "h0", 3, 8, 0.3f);
    leaky("h0", "a0");
    conv(g, "body", "a0", "h1", 8, 8, 0.15f);
    leaky("h1", "a1");
    *g.add_initializer() = float_tensor("up_w", {8, 8, 4, 4}, wave(8 * 8 * 16, 0.7f, 0.12f));
    *g.add_initializer() = float_tensor("up_b", {8}, wave(8, 2.0f, 0.05f));
    auto& up = add_node(g, "ConvTranspose", {"a1", "up_w", "up_b"}, {"u"}, "up");
    set_ints(up, "strides", {2, 2});
    set_ints(up, "pads", {1, 1, 1, 1});
    leaky("u", "a2");
    conv(g, "tail", "a2", "Y", 8, 3, 0.2f);
    *g.add_output() = tensor_info("Y", kFloat, {1, 3, "h2", "w2"});
    return m.SerializeAsString();
}

class Int8Subpixel : public ::testing::Test {
  protected:
    void SetUp() override {
        model_ = upsampling_model();
        calibration_ = calibrate(model_, {frame(40, 30, 11), frame(40, 30, 12)});
    }
    onnx::ModelProto converted(const Int8Calibration& calibration,
                               std::vector<std::string> blacklist = {"first", "last"}) const {
        detail::int8::ConvertOptions o;
        o.quantize.blacklist = std::move(blacklist);
        return parse(detail::int8::quantize_cached(model_, "test", calibration, o, cache_.path()));
    }
    double psnr_against_float(const std::shared_ptr<const Int8Calibration>& calibration,
                              std::optional<std::vector<std::string>> blacklist = {}) const {
        const Frame in = frame(40, 30, 7);
        const Frame ref = run(model_, in, {});
        const Frame got = run(model_, in, int8_options(calibration, cache_.path(), blacklist));
        return psnr(ref.view(), got.view());
    }

    std::string model_;
    std::shared_ptr<const Int8Calibration> calibration_;
    TempDir cache_{"mlrt-int8-subpixel"};
};

TEST_F(Int8Subpixel, ConvTransposeRunsAsAQuantizedConvAndItsShuffleOnUint8) {
    const onnx::ModelProto m = converted(*calibration_);
    const auto& g = m.graph();
    EXPECT_TRUE(nodes_of(g, "ConvTranspose").empty());
    const onnx::NodeProto* up = find_node(g, "up");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->op_type(), "Conv");
    // Integer weights, an integer input, an output quantized for the shuffle.
    ASSERT_NE(producer(g, up->input(1)), nullptr);
    EXPECT_EQ(producer(g, up->input(1))->op_type(), "DequantizeLinear");
    ASSERT_NE(producer(g, up->input(0)), nullptr);
    EXPECT_EQ(producer(g, up->input(0))->op_type(), "DequantizeLinear");
    const auto d2s = nodes_of(g, "DepthToSpace");
    ASSERT_EQ(d2s.size(), 1u);
    ASSERT_NE(producer(g, d2s[0]->input(0)), nullptr);
    EXPECT_EQ(producer(g, d2s[0]->input(0))->op_type(), "QuantizeLinear");
    const auto slices = nodes_of(g, "Slice");
    ASSERT_EQ(slices.size(), 1u);
    EXPECT_EQ(slices[0]->input(0), d2s[0]->output(0));
    // No requantization: a DequantizeLinear straight into a QuantizeLinear.
    for (const auto& n : g.node()) {
        if (n.op_type() != "QuantizeLinear") continue;
        const onnx::NodeProto* from = producer(g, n.input(0));
        EXPECT_TRUE(from == nullptr || from->op_type() != "DequantizeLinear")
            << "identity DequantizeLinear -> QuantizeLinear before " << n.name();
    }
    expect_valid(m);
    EXPECT_GT(psnr_against_float(calibration_), 40.0);
}

TEST_F(Int8Subpixel, CalibrationWithoutTheRewrittenTensorKeepsTheConvTranspose) {
    // As a calibration saved before the rewrite existed: it has the ranges around the
    // ConvTranspose, not the one of the Conv it becomes.
    Int8Calibration old = *calibration_;
    std::erase_if(old.ranges, [](const auto& r) { return r.tensor == "up/subpixel"; });
    ASSERT_EQ(old.ranges.size() + 1, calibration_->ranges.size());
    const onnx::ModelProto m = converted(old);
    ASSERT_EQ(nodes_of(m.graph(), "ConvTranspose").size(), 1u);
    EXPECT_EQ(producer(m.graph(), nodes_of(m.graph(), "ConvTranspose")[0]->input(1))->op_type(),
              "DequantizeLinear");
    EXPECT_GT(psnr_against_float(std::make_shared<const Int8Calibration>(old)), 40.0);
}

TEST_F(Int8Subpixel, BlacklistedOpTypeKeepsTheConvTransposeInFloat) {
    const onnx::ModelProto m = converted(*calibration_, {"first", "last", "ConvTranspose"});
    const auto kept = nodes_of(m.graph(), "ConvTranspose");
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0]->input(1), "up_w");  // its float weights, not a DequantizeLinear's
    EXPECT_GT(psnr_against_float(calibration_,
                                 std::vector<std::string>{"first", "last", "ConvTranspose"}),
              40.0);
}

}  // namespace
}  // namespace mlrt::test::int8
