#pragma once
// ncnn layers → ONNX nodes. Every blob becomes a 4-D NCHW tensor: ncnn's 3-D (c, h, w) as
// [1, c, h, w] and its 1-D vectors (global pooling, InnerProduct) as [1, w, 1, 1], so that
// ncnn's per-channel broadcast of a vector over a 3-D blob is ONNX's own broadcast.
#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>

#include "engine/ncnn/param.hpp"
#include "engine/ncnn/weights.hpp"

namespace mlrt::detail::ncnn {

struct Blob {
    std::string tensor;  // the ONNX value that holds it
    int dims = 3;        // ncnn's rank: 1 or 3
    int channels = -1;   // -1: not known while converting
};

class Converter {
  public:
    Converter(onnx::GraphProto& graph, WeightReader& weights, std::string param_path)
        : g_(graph), w_(weights), path_(std::move(param_path)) {}

    // The network's input blob is `tensor` (3 channels).
    void set_input(const std::string& tensor) { input_ = tensor; }
    void convert(const Layer& layer);
    // The one blob no layer consumes (the network's output).
    const Blob& output() const;
    std::set<std::string> types() const { return types_; }

  private:
    using Handler = void (Converter::*)(const Layer&);
    static const std::map<std::string, Handler>& handlers();

    [[noreturn]] void refuse(const Layer& layer, const std::string& why) const;
    const Blob& in(const Layer& layer, std::size_t i) const;
    void expect_io(const Layer& layer, std::size_t inputs, std::size_t outputs) const;
    void define(const Layer& layer, std::size_t i, Blob blob);
    std::string fresh(const std::string& hint);
    std::string constant(const std::vector<std::int64_t>& dims, const std::vector<float>& values);
    std::string constant_i64(const std::vector<std::int64_t>& values);
    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::string& output, const Layer& layer);
    std::string activate(const Layer& layer, const std::string& x, int type,
                         const std::vector<float>& params);
    int onnx_axis(const Layer& layer, int axis, int dims) const;
    std::string unary(const Layer& layer, const std::string& op);
    std::string scale_shift(const Layer& layer, const std::string& x, const std::vector<float>& a,
                            const std::vector<float>& b);

    void input(const Layer&);
    void split(const Layer&);
    void identity(const Layer&);
    void convolution(const Layer&);
    void deconvolution(const Layer&);
    void inner_product(const Layer&);
    void activation(const Layer&);
    void prelu(const Layer&);
    void batch_norm(const Layer&);
    void binary_op(const Layer&);
    void eltwise(const Layer&);
    void scale(const Layer&);
    void interp(const Layer&);
    void pixel_shuffle(const Layer&);
    void concat(const Layer&);
    void slice(const Layer&);
    void crop(const Layer&);
    void padding(const Layer&);
    void pooling(const Layer&);
    void reduction(const Layer&);
    void softmax(const Layer&);
    void flatten(const Layer&);
    void memory_data(const Layer&);

    onnx::GraphProto& g_;
    WeightReader& w_;
    std::string path_;
    std::string input_;
    std::map<std::string, Blob> blobs_;
    std::set<std::string> consumed_;
    std::set<std::string> types_;
    int counter_ = 0;
};

}  // namespace mlrt::detail::ncnn
