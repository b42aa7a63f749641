#include "engine/int8/int8.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <set>

#include "engine/fp16/io_adapter.hpp"
#include "engine/model_cache.hpp"
#include "engine/subpixel.hpp"
#include "mlrt/error.hpp"

namespace mlrt::detail::int8 {
namespace {

// Bumped whenever the quantizer's output for the same input changes.
constexpr std::string_view kFormatVersion = "mlrt-int8-2";

std::string fingerprint(const Int8Calibration& calibration, const ConvertOptions& options) {
    const auto& list = options.quantize.blacklist;
    const std::set<std::string> blacklist(list.begin(), list.end());
    std::string text(kFormatVersion);
    text += options.quantize.reduce_range ? "|7bit" : "|8bit";
    text += options.input_float32 ? "|in32" : "|in16";
    text += options.output_float32 ? "|out32" : "|out16";
    for (const auto& entry : blacklist) text += "|" + std::to_string(entry.size()) + ":" + entry;
    text += "|" + calibration.serialize();
    return text;
}

}  // namespace

std::string quantize_cached(const std::string& model_bytes, const std::string& model_name,
                            const Int8Calibration& calibration, const ConvertOptions& options,
                            const std::filesystem::path& cache_dir) {
    if (calibration.model_digest != content_digest(model_bytes))
        throw Error(ErrorKind::InvalidArgument,
                    model_name + ": the int8 calibration was made for another model (digest " +
                        calibration.model_digest + "); calibrate on this model again");
    return cached_conversion(
        "int8", model_bytes, fingerprint(calibration, options), cache_dir, [&] {
            onnx::ModelProto model;
            if (!model.ParseFromString(model_bytes))
                throw Error(ErrorKind::InvalidModel, model_name + ": cannot parse the ONNX model");
            RangeTable ranges;
            for (const auto& r : calibration.ranges) ranges[r.tensor] = {r.lo, r.hi};
            // As Conv + DepthToSpace a ConvTranspose runs on the integer kernels. One the
            // blacklist keeps by op type stays, as does one a calibration made before the
            // rewrite existed did not observe.
            const auto& list = options.quantize.blacklist;
            const bool keep_all =
                std::find(list.begin(), list.end(), "ConvTranspose") != list.end();
            rewrite_conv_transposes(model, [&](const onnx::NodeProto&, const std::string& out) {
                return !keep_all && ranges.count(out) != 0;
            });
            quantize(model, ranges, options.quantize);
            Fp16Options io;
            io.input_float32 = options.input_float32;
            io.output_float32 = options.output_float32;
            fp16::adapt_io(*model.mutable_graph(), io);
            std::string out;
            if (!model.SerializeToString(&out))
                throw Error(ErrorKind::InvalidModel, model_name + ": the int8 model is too large");
            return out;
        });
}

}  // namespace mlrt::detail::int8
