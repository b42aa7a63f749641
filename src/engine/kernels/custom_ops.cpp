#include "engine/kernels/custom_ops.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/kernels/conv_uint8.hpp"
#include "engine/kernels/depth_to_space.hpp"
#include "engine/kernels/lookup.hpp"
#include "engine/kernels/prelu.hpp"
#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {
namespace {

// ONNX Runtime's intra-op thread pool as the kernels' ParallelFor.
ParallelFor thread_pool(const Ort::KernelContext& ctx) {
    return [ctx](std::size_t count, const std::function<void(std::size_t)>& body) {
        ctx.ParallelFor(
            [](void* data, std::size_t i) {
                (*static_cast<const std::function<void(std::size_t)>*>(data))(i);
            },
            count, 0, const_cast<std::function<void(std::size_t)>*>(&body));
    };
}

// Working memory from the session's CPU allocator: its arena keeps the block between runs,
// where fresh pages on every run cost more than the work (12 MB of rows for a 1080p Resize).
class ArenaBuffer {
  public:
    ArenaBuffer(const Ort::KernelContext& ctx, std::size_t bytes) {
        if (bytes == 0) return;
        const Ort::MemoryInfo cpu =
            Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        allocator_ = ctx.GetAllocator(*cpu);
        data_ = allocator_->Alloc(allocator_, bytes);
        if (data_ == nullptr) {
            Ort::GetApi().ReleaseAllocator(allocator_);
            throw Ort::Exception("mlrt kernels: out of memory for " + std::to_string(bytes) +
                                     " bytes of working memory",
                                 ORT_FAIL);
        }
    }
    ~ArenaBuffer() {
        if (allocator_ == nullptr) return;
        allocator_->Free(allocator_, data_);
        Ort::GetApi().ReleaseAllocator(allocator_);
    }
    ArenaBuffer(const ArenaBuffer&) = delete;
    ArenaBuffer& operator=(const ArenaBuffer&) = delete;
    void* data() const { return data_; }

  private:
    OrtAllocator* allocator_ = nullptr;
    void* data_ = nullptr;
};

// Exceptions never cross ONNX Runtime's C API: they become statuses. (Explicit try blocks,
// not a lambda inside one, so that the analysers see every throw caught.)
template <typename Kernel>
OrtStatusPtr compute_as_status(const Kernel& kernel, OrtKernelContext* context) noexcept {
    try {
        kernel.compute(Ort::KernelContext(context));
        return nullptr;
    } catch (const Ort::Exception& e) {
        return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
    } catch (const std::exception& e) {
        return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
    }
}

// A kernel object for ONNX Runtime, any failure (allocation included) as a status.
template <typename Kernel, typename... Args>
OrtStatusPtr create_kernel(void** kernel, const Args&... args) noexcept {
    try {
        *kernel = new Kernel(args...);
        return nullptr;
    } catch (const Ort::Exception& e) {
        return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
    } catch (const std::exception& e) {
        return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
    }
}

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
        return compute_as_status(*this, context);
    }

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
        const ArenaBuffer scratch(ctx, resize_scratch_floats(shape, attrs_) * sizeof(float));
        resize(x.GetTensorData<float>(), y.GetTensorMutableData<float>(), shape, scale_h, scale_w,
               attrs_, static_cast<float*>(scratch.data()), thread_pool(ctx));
    }

  private:
    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt Resize: " + why, ORT_INVALID_ARGUMENT);
    }

    bool sizes_;
    ResizeAttributes attrs_;
};

struct ResizeOp : Ort::CustomOpBase<ResizeOp, ResizeKernel, /*WithStatus=*/true> {
    explicit ResizeOp(bool sizes) : sizes_(sizes) {}

    OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        return create_kernel<ResizeKernel>(kernel, info, sizes_);
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

// The tensor of shape `dims` around `axis` (negative: from the end), whose `rows` values (1, or
// one per channel along the axis) a kernel applies; throws through `fail` with why not.
template <typename Fail>
LookupShape channel_shape(const std::vector<std::int64_t>& dims, std::int64_t axis_attr,
                          std::int64_t rows, const char* what, Fail fail) {
    const auto rank = static_cast<std::int64_t>(dims.size());
    const std::int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank)
        fail("axis " + std::to_string(axis_attr) + " is outside a tensor of rank " +
             std::to_string(rank));
    LookupShape shape;
    for (std::int64_t d = 0; d < rank; ++d)
        (d < axis ? shape.outer : d == axis ? shape.channels : shape.inner) *= dims[d];
    if (rows != 1 && rows != shape.channels)
        fail("the " + std::string(what) + " has " + std::to_string(rows) + " rows for " +
             std::to_string(shape.channels) + " channels");
    return shape;
}

// y = table[c][x] for uint8 x, c the index along `axis` (negative: from the end); T is the
// table's and the output's type.
template <typename T>
class LookupKernel {
  public:
    explicit LookupKernel(const OrtKernelInfo* info)
        : axis_(Ort::ConstKernelInfo(info).GetAttribute<std::int64_t>("axis")) {}

    OrtStatusPtr ComputeV2(OrtKernelContext* context) const noexcept {
        return compute_as_status(*this, context);
    }

    void compute(Ort::KernelContext ctx) const {
        const Ort::ConstValue x = ctx.GetInput(0);
        const std::vector<std::int64_t> dims = x.GetTensorTypeAndShapeInfo().GetShape();
        const Ort::ConstValue table = ctx.GetInput(1);
        const std::vector<std::int64_t> tdims = table.GetTensorTypeAndShapeInfo().GetShape();
        if (tdims.size() != 2 || tdims[1] != 256 || tdims[0] < 1)
            fail("the table must be [channels, 256]");
        const LookupShape shape = channel_shape(dims, axis_, tdims[0], "table", fail);
        Ort::UnownedValue y = ctx.GetOutput(0, dims.data(), dims.size());
        lookup(x.GetTensorData<std::uint8_t>(), y.GetTensorMutableData<T>(), shape,
               table.GetTensorData<T>(), tdims[0], thread_pool(ctx));
    }

  private:
    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt LookupTable: " + why, ORT_INVALID_ARGUMENT);
    }

    std::int64_t axis_;
};

template <typename T>
struct LookupOp : Ort::CustomOpBase<LookupOp<T>, LookupKernel<T>, /*WithStatus=*/true> {
    static constexpr bool kFloat = std::is_same_v<T, float>;
    static constexpr ONNXTensorElementDataType kType =
        kFloat ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT : ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8;

    OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        return create_kernel<LookupKernel<T>>(kernel, info);
    }
    const char* GetName() const { return kFloat ? kLookupTableFloat : kLookupTable; }
    const char* GetExecutionProviderType() const { return "CPUExecutionProvider"; }
    std::size_t GetInputTypeCount() const { return 2; }
    ONNXTensorElementDataType GetInputType(std::size_t i) const {
        return i == 0 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 : kType;
    }
    std::size_t GetOutputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetOutputType(std::size_t) const { return kType; }
};

// ONNX's PRelu on float32 with one slope per channel along `axis` (or one slope): (X, slope
// float[channels or 1]) -> float.
class PreluKernel {
  public:
    explicit PreluKernel(const OrtKernelInfo* info)
        : axis_(Ort::ConstKernelInfo(info).GetAttribute<std::int64_t>("axis")) {}

    OrtStatusPtr ComputeV2(OrtKernelContext* context) const noexcept {
        return compute_as_status(*this, context);
    }

    void compute(Ort::KernelContext ctx) const {
        const Ort::ConstValue x = ctx.GetInput(0), slope = ctx.GetInput(1);
        const std::vector<std::int64_t> dims = x.GetTensorTypeAndShapeInfo().GetShape();
        const auto rows =
            static_cast<std::int64_t>(slope.GetTensorTypeAndShapeInfo().GetElementCount());
        if (rows < 1) fail("the slope is empty");
        const LookupShape shape = channel_shape(dims, axis_, rows, "slope", fail);
        Ort::UnownedValue y = ctx.GetOutput(0, dims.data(), dims.size());
        prelu(x.GetTensorData<float>(), y.GetTensorMutableData<float>(), shape,
              slope.GetTensorData<float>(), rows, thread_pool(ctx));
    }

  private:
    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt PRelu: " + why, ORT_INVALID_ARGUMENT);
    }

    std::int64_t axis_;
};

struct PreluOp : Ort::CustomOpBase<PreluOp, PreluKernel, /*WithStatus=*/true> {
    OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        return create_kernel<PreluKernel>(kernel, info);
    }
    const char* GetName() const { return kPRelu; }
    const char* GetExecutionProviderType() const { return "CPUExecutionProvider"; }
    std::size_t GetInputTypeCount() const { return 2; }
    ONNXTensorElementDataType GetInputType(std::size_t) const {
        return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }
    std::size_t GetOutputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetOutputType(std::size_t) const {
        return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }
};

// ONNX's DepthToSpace on NCHW float32 or uint8 (attributes blocksize, mode "DCR" or "CRD").
template <typename T>
class DepthToSpaceKernel {
  public:
    explicit DepthToSpaceKernel(const OrtKernelInfo* info) {
        const Ort::ConstKernelInfo k(info);
        blocksize_ = k.GetAttribute<std::int64_t>("blocksize");
        const std::string mode = k.GetAttribute<std::string>("mode");
        if (blocksize_ < 1 || (mode != "DCR" && mode != "CRD"))
            fail("blocksize " + std::to_string(blocksize_) + " and mode '" + mode +
                 "' are not ONNX's");
        mode_ = mode == "DCR" ? DepthToSpaceMode::DCR : DepthToSpaceMode::CRD;
    }

    OrtStatusPtr ComputeV2(OrtKernelContext* context) const noexcept {
        return compute_as_status(*this, context);
    }

    void compute(Ort::KernelContext ctx) const {
        const Ort::ConstValue x = ctx.GetInput(0);
        const std::vector<std::int64_t> dims = x.GetTensorTypeAndShapeInfo().GetShape();
        if (dims.size() != 4) fail("input must be 4-D (NCHW)");
        const std::int64_t b = blocksize_;
        if (dims[1] % (b * b) != 0)
            fail(std::to_string(dims[1]) + " channels are not a multiple of blocksize² (" +
                 std::to_string(b * b) + ")");
        const std::vector<std::int64_t> out_dims{dims[0], dims[1] / (b * b), dims[2] * b,
                                                 dims[3] * b};
        Ort::UnownedValue y = ctx.GetOutput(0, out_dims.data(), out_dims.size());
        depth_to_space(x.GetTensorData<T>(), y.GetTensorMutableData<T>(),
                       {dims[0], dims[1], dims[2], dims[3], b}, mode_, thread_pool(ctx));
    }

  private:
    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt DepthToSpace: " + why, ORT_INVALID_ARGUMENT);
    }

    std::int64_t blocksize_ = 1;
    DepthToSpaceMode mode_ = DepthToSpaceMode::DCR;
};

template <typename T>
struct DepthToSpaceOp
    : Ort::CustomOpBase<DepthToSpaceOp<T>, DepthToSpaceKernel<T>, /*WithStatus=*/true> {
    static constexpr bool kFloat = std::is_same_v<T, float>;
    static constexpr ONNXTensorElementDataType kType =
        kFloat ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT : ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8;

    OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        return create_kernel<DepthToSpaceKernel<T>>(kernel, info);
    }
    const char* GetName() const { return kFloat ? kDepthToSpace : kDepthToSpaceUint8; }
    const char* GetExecutionProviderType() const { return "CPUExecutionProvider"; }
    std::size_t GetInputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetInputType(std::size_t) const { return kType; }
    std::size_t GetOutputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetOutputType(std::size_t) const { return kType; }
};

// (X uint8, W int16, w_scale, B) -> float: conv_uint8() with the input's quantization and the
// pads as attributes.
class ConvUint8Kernel {
  public:
    explicit ConvUint8Kernel(const OrtKernelInfo* info) {
        const Ort::ConstKernelInfo k(info);
        x_q_.scale = k.GetAttribute<float>("x_scale");
        const auto zero = k.GetAttribute<std::int64_t>("x_zero_point");
        pads_ = k.GetAttributes<std::int64_t>("pads");
        if (!(x_q_.scale > 0.0f) || zero < 0 || zero > 255 || pads_.size() != 4)
            fail("x_scale must be positive, x_zero_point a byte and pads 4 values");
        x_q_.zero_point = static_cast<std::int32_t>(zero);
    }

    OrtStatusPtr ComputeV2(OrtKernelContext* context) const noexcept {
        return compute_as_status(*this, context);
    }

    void compute(Ort::KernelContext ctx) const {
        const Ort::ConstValue x = ctx.GetInput(0), w = ctx.GetInput(1);
        const Ort::ConstValue w_scale = ctx.GetInput(2), bias = ctx.GetInput(3);
        const std::vector<std::int64_t> xd = x.GetTensorTypeAndShapeInfo().GetShape();
        const std::vector<std::int64_t> wd = w.GetTensorTypeAndShapeInfo().GetShape();
        if (xd.size() != 4 || wd.size() != 4) fail("input and weights must be 4-D (NCHW)");
        if (xd[1] != wd[1])
            fail("the input's " + std::to_string(xd[1]) + " channels are not the weights' " +
                 std::to_string(wd[1]));
        const auto count = static_cast<std::size_t>(wd[0]);
        if (w_scale.GetTensorTypeAndShapeInfo().GetElementCount() != count ||
            bias.GetTensorTypeAndShapeInfo().GetElementCount() != count)
            fail("w_scale and B must hold one value per output channel");
        const ConvUint8Shape shape{xd[0], xd[1],    xd[2],    xd[3],    wd[0],   wd[2],
                                   wd[3], pads_[0], pads_[1], pads_[2], pads_[3]};
        const std::int16_t* weights = w.GetTensorData<std::int16_t>();
        const std::size_t values = w.GetTensorTypeAndShapeInfo().GetElementCount();
        if (!std::all_of(weights, weights + values, [](std::int16_t v) {
                return v >= -kConvWeightMax && v <= kConvWeightMax;
            }))
            fail("weights outside +-" + std::to_string(kConvWeightMax));
        const std::vector<std::int64_t> out_dims{xd[0], wd[0], shape.out_height(),
                                                 shape.out_width()};
        if (out_dims[2] < 1 || out_dims[3] < 1) fail("the kernel is larger than the padded input");
        Ort::UnownedValue y = ctx.GetOutput(0, out_dims.data(), out_dims.size());
        try {
            conv_uint8(x.GetTensorData<std::uint8_t>(), x_q_, shape, weights,
                       w_scale.GetTensorData<float>(), bias.GetTensorData<float>(),
                       y.GetTensorMutableData<float>(), thread_pool(ctx));
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
    }

  private:
    [[noreturn]] static void fail(const std::string& why) {
        throw Ort::Exception("mlrt ConvUint8: " + why, ORT_INVALID_ARGUMENT);
    }

    Quantization x_q_;
    std::vector<std::int64_t> pads_;
};

struct ConvUint8Op : Ort::CustomOpBase<ConvUint8Op, ConvUint8Kernel, /*WithStatus=*/true> {
    OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info,
                                void** kernel) const noexcept {
        return create_kernel<ConvUint8Kernel>(kernel, info);
    }
    const char* GetName() const { return kConvUint8; }
    const char* GetExecutionProviderType() const { return "CPUExecutionProvider"; }
    std::size_t GetInputTypeCount() const { return 4; }
    ONNXTensorElementDataType GetInputType(std::size_t i) const {
        if (i == 0) return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8;
        return i == 1 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }
    std::size_t GetOutputTypeCount() const { return 1; }
    ONNXTensorElementDataType GetOutputType(std::size_t) const {
        return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    }
};

}  // namespace

OrtCustomOpDomain* custom_op_domain() {
    static const ResizeOp scales(false), sizes(true);
    static const LookupOp<std::uint8_t> lookup;
    static const LookupOp<float> lookup_float;
    static const DepthToSpaceOp<float> depth_to_space;
    static const DepthToSpaceOp<std::uint8_t> depth_to_space_uint8;
    static const ConvUint8Op conv_uint8;
    static const PreluOp prelu;
    static Ort::CustomOpDomain domain = [] {
        Ort::CustomOpDomain d(kDomain);
        d.Add(&scales);
        d.Add(&sizes);
        d.Add(&lookup);
        d.Add(&lookup_float);
        d.Add(&depth_to_space);
        d.Add(&depth_to_space_uint8);
        d.Add(&conv_uint8);
        d.Add(&prelu);
        return d;
    }();
    return domain;
}

Ort::Session create_with_domain(const std::function<Ort::Session()>& create) {
    static std::atomic<bool> registered{false};
    static std::mutex first;
    if (registered.load(std::memory_order_acquire)) return create();
    const std::lock_guard<std::mutex> lock(first);
    Ort::Session session = create();
    registered.store(true, std::memory_order_release);
    return session;
}

}  // namespace mlrt::detail::kernels
