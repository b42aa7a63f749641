#include "engine/kernels/custom_ops.hpp"

#include <exception>
#include <string>

#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {
namespace {

// ONNX's Resize on NCHW float32, H and W only, scales or sizes from the second input.
class ResizeKernel {
  public:
    ResizeKernel(const OrtKernelInfo* info, bool sizes) : sizes_(sizes) {
        const Ort::ConstKernelInfo k(info);
        const auto text = [&](const char* name) { return k.GetAttribute<std::string>(name); };
        if (!parse_mode(text("mode"), attrs_.mode) ||
            !parse_coordinate_mode(text("coordinate_transformation_mode"), attrs_.coordinates) ||
            !parse_nearest_mode(text("nearest_mode"), attrs_.nearest))
            throw Ort::Exception("mlrt Resize: unsupported attributes", ORT_INVALID_ARGUMENT);
        attrs_.cubic_coeff_a = k.GetAttribute<float>("cubic_coeff_a");
        attrs_.exclude_outside = k.GetAttribute<std::int64_t>("exclude_outside") != 0;
    }

    OrtStatusPtr ComputeV2(OrtKernelContext* context) const noexcept {
        try {
            compute(Ort::KernelContext(context));
            return nullptr;
        } catch (const Ort::Exception& e) {
            return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
        } catch (const std::exception& e) {
            return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
        }
    }

  private:
    void compute(Ort::KernelContext ctx) const {
        const Ort::ConstValue x = ctx.GetInput(0);
        const std::vector<std::int64_t> dims = x.GetTensorTypeAndShapeInfo().GetShape();
        if (dims.size() != 4) fail("input must be 4-D (NCHW)");
        const Ort::ConstValue param = ctx.GetInput(1);
        if (param.GetTensorTypeAndShapeInfo().GetElementCount() != 4)
            fail(std::string(sizes_ ? "sizes" : "scales") + " must hold 4 values");
        std::int64_t out_h = 0, out_w = 0;
        float scale_h = 1, scale_w = 1;
        if (sizes_) {
            const auto* s = param.GetTensorData<std::int64_t>();
            if (s[0] != dims[0] || s[1] != dims[1]) fail("sizes must keep N and C");
            out_h = s[2];
            out_w = s[3];
            scale_h = static_cast<float>(out_h) / static_cast<float>(dims[2]);
            scale_w = static_cast<float>(out_w) / static_cast<float>(dims[3]);
        } else {
            const auto* s = param.GetTensorData<float>();
            if (s[0] != 1.0f || s[1] != 1.0f) fail("scales must be 1 on N and C");
            scale_h = s[2];
            scale_w = s[3];
            if (!(scale_h > 0) || !(scale_w > 0)) fail("scales must be positive");
            // ONNX Runtime's rounding of the output size: float product, truncated.
            out_h = static_cast<std::int64_t>(scale_h * static_cast<float>(dims[2]));
            out_w = static_cast<std::int64_t>(scale_w * static_cast<float>(dims[3]));
        }
        if (out_h <= 0 || out_w <= 0 || dims[2] <= 0 || dims[3] <= 0) fail("empty tensor");
        const std::vector<std::int64_t> out_dims{dims[0], dims[1], out_h, out_w};
        Ort::UnownedValue y = ctx.GetOutput(0, out_dims.data(), out_dims.size());
        const PlaneShape shape{dims[0] * dims[1], dims[2], dims[3], out_h, out_w};
        resize(x.GetTensorData<float>(), y.GetTensorMutableData<float>(), shape, scale_h, scale_w,
               attrs_, [&](std::size_t count, const std::function<void(std::size_t)>& body) {
                   ctx.ParallelFor(
                       [](void* data, std::size_t i) {
                           (*static_cast<const std::function<void(std::size_t)>*>(data))(i);
                       },
                       count, 0, const_cast<std::function<void(std::size_t)>*>(&body));
               });
    }

    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt Resize: " + why, ORT_INVALID_ARGUMENT);
    }

    bool sizes_;
    ResizeAttributes attrs_;
};

struct ResizeOp : Ort::CustomOpBase<ResizeOp, ResizeKernel, /*WithStatus=*/true> {
    explicit ResizeOp(bool sizes) : sizes_(sizes) {}

    OrtStatusPtr CreateKernelV2(const OrtApi& api, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        try {
            *kernel = new ResizeKernel(info, sizes_);
            return nullptr;
        } catch (const Ort::Exception& e) {
            return api.CreateStatus(e.GetOrtErrorCode(), e.what());
        } catch (const std::exception& e) {
            return api.CreateStatus(ORT_FAIL, e.what());
        }
    }
    const char* GetName() const { return sizes_ ? kResizeSizes : kResizeScales; }
    const char* GetExecutionProviderType() const { return "CPUExecutionProvider"; }
    std::size_t GetInputTypeCount() const { return 2; }
    ONNXTensorElementDataType GetInputType(std::size_t i) const {
        if (i == 0) return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
        return sizes_ ? ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }
    std::size_t GetOutputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetOutputType(std::size_t) const {
        return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }

  private:
    bool sizes_;
};

}  // namespace

OrtCustomOpDomain* custom_op_domain() {
    static const ResizeOp scales(false), sizes(true);
    static Ort::CustomOpDomain domain = [] {
        Ort::CustomOpDomain d(kDomain);
        d.Add(&scales);
        d.Add(&sizes);
        return d;
    }();
    return domain;
}

}  // namespace mlrt::detail::kernels
