#include "model_filter.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlrt/config/engine_args.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "vsmap_args.hpp"

namespace mlrt::vs {

const char* const kModelArgs =
    "clips:vnode[];"
    "network_path:data;"
    "overlap:int[]:opt;"
    "tilesize:int[]:opt;"
    "provider:data:opt;"
    "device_id:int:opt;"
    "num_streams:int:opt;"
    "verbosity:int:opt;"
    "cudnn_benchmark:int:opt;"
    "builtin:int:opt;"
    "builtindir:data:opt;"
    "fp16:int:opt;"
    "path_is_serialization:int:opt;"
    "use_cuda_graph:int:opt;"
    "fp16_blacklist_ops:data[]:opt;"
    "prefer_nhwc:int:opt;"
    "output_format:int:opt;"
    "tf32:int:opt;"
    "flexible_output_prop:data:opt;"
    "ml_program:int:opt;"
    // mlrt extensions
    "tile_mode:data:opt;"
    "balanced:int:opt;"
    "intra_op_threads:int:opt;"
    "int8:int:opt;"
    "int8_blacklist_ops:data[]:opt;"
    "calibration:data:opt;"
    "calibrate:int:opt;";
const char* const kModelReturn = "clip:vnode;num_planes:int:opt;";

namespace {

struct NodeDeleter {
    const VSAPI* vsapi;
    void operator()(VSNode* n) const { vsapi->freeNode(n); }
};
using NodePtr = std::unique_ptr<VSNode, NodeDeleter>;

struct FrameDeleter {
    const VSAPI* vsapi;
    void operator()(const VSFrame* f) const { vsapi->freeFrame(f); }
};
using FramePtr = std::unique_ptr<const VSFrame, FrameDeleter>;

struct ModelData {
    std::vector<NodePtr> nodes;
    VSVideoInfo vi{};
    VSVideoFormat plane_format{};  // GRAY format of one output channel (flexible output)
    std::optional<std::string> flexible_prop;
    std::optional<Engine> engine;
};

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::InvalidArgument, message);
}

// Errors reach scripts as "Model: <what>"; the configuration layer already names ort.Model.
std::string filter_error(const char* what) {
    std::string message = what;
    constexpr std::string_view prefix = "ort.Model: ";
    if (message.starts_with(prefix)) message.erase(0, prefix.size());
    return "Model: " + message;
}

std::string describe(const VSVideoInfo& vi, const VSAPI* vsapi) {
    char name[32] = {};
    vsapi->getVideoFormatName(&vi.format, name);
    return name;
}

// Every clip, not only the first: float, 4:4:4, same size, frame count and sample type.
void check_clips(const std::vector<const VSVideoInfo*>& vis, const VSAPI* vsapi) {
    const VSVideoInfo& first = *vis.front();
    for (std::size_t i = 0; i < vis.size(); ++i) {
        const VSVideoInfo& vi = *vis[i];
        const std::string which = "clip " + std::to_string(i);
        if (vi.format.colorFamily == cfUndefined || vi.width == 0 || vi.height == 0)
            fail(which + " must have a constant format and size");
        if (vi.format.sampleType != stFloat)
            fail(
                which + " is " + describe(vi, vsapi) +
                "; only float clips (16 or 32 bit, e.g. RGBS, RGBH, GRAYS, YUV444PS) are accepted");
        if (vi.format.subSamplingW != 0 || vi.format.subSamplingH != 0)
            fail(which + " is " + describe(vi, vsapi) + ", which is subsampled; use 4:4:4");
        if (vi.width != first.width || vi.height != first.height)
            fail(which + " is " + std::to_string(vi.width) + "x" + std::to_string(vi.height) +
                 " but clip 0 is " + std::to_string(first.width) + "x" +
                 std::to_string(first.height));
        if (vi.numFrames != first.numFrames)
            fail(which + " has " + std::to_string(vi.numFrames) + " frames but clip 0 has " +
                 std::to_string(first.numFrames));
        if (vi.format.bitsPerSample != first.format.bitsPerSample)
            fail(which + " has " + std::to_string(vi.format.bitsPerSample) +
                 "-bit samples but clip 0 has " + std::to_string(first.format.bitsPerSample) +
                 "-bit");
    }
}

SampleType sample_type(int bits) {
    return bits == 16 ? SampleType::Float16 : SampleType::Float32;
}
int bits_of(SampleType t) {
    return t == SampleType::Float16 ? 16 : 32;
}

// The engine's views of one frame of every clip; `planes` holds what they point to.
std::vector<FrameView> frame_views(const std::vector<FramePtr>& src,
                                   std::vector<std::vector<PlaneView>>& planes,
                                   const VSAPI* vsapi) {
    planes.assign(src.size(), {});
    std::vector<FrameView> views;
    for (std::size_t c = 0; c < src.size(); ++c) {
        const VSFrame* f = src[c].get();
        const int np = vsapi->getVideoFrameFormat(f)->numPlanes;
        for (int p = 0; p < np; ++p)
            planes[c].push_back({reinterpret_cast<const std::byte*>(vsapi->getReadPtr(f, p)),
                                 vsapi->getStride(f, p)});
        views.push_back({vsapi->getFrameWidth(f, 0), vsapi->getFrameHeight(f, 0),
                         sample_type(vsapi->getVideoFrameFormat(f)->bitsPerSample), planes[c]});
    }
    return views;
}

const VSFrame* VS_CC get_frame(int n, int reason, void* instance, void**, VSFrameContext* ctx,
                               VSCore* core, const VSAPI* vsapi) {
    auto* d = static_cast<ModelData*>(instance);
    if (reason == arInitial) {
        for (auto& node : d->nodes) vsapi->requestFrameFilter(n, node.get(), ctx);
        return nullptr;
    }
    if (reason != arAllFramesReady) return nullptr;

    std::vector<FramePtr> src;
    for (auto& node : d->nodes)
        src.emplace_back(vsapi->getFrameFilter(n, node.get(), ctx), FrameDeleter{vsapi});
    try {
        std::vector<std::vector<PlaneView>> planes;
        const std::vector<FrameView> views = frame_views(src, planes, vsapi);
        const Engine& engine = *d->engine;
        const int w = engine.output_width(), h = engine.output_height();
        // Flexible output: one GRAY frame per channel, attached to the main frame as props.
        std::vector<VSFrame*> targets;
        if (d->flexible_prop) {
            for (int p = 0; p < engine.output_planes(); ++p)
                targets.push_back(
                    vsapi->newVideoFrame(&d->plane_format, w, h, src.front().get(), core));
        } else {
            targets.push_back(vsapi->newVideoFrame(&d->vi.format, w, h, src.front().get(), core));
        }
        std::vector<MutablePlaneView> out_planes;
        for (VSFrame* t : targets) {
            const int np = vsapi->getVideoFrameFormat(t)->numPlanes;
            for (int p = 0; p < np; ++p)
                out_planes.push_back({reinterpret_cast<std::byte*>(vsapi->getWritePtr(t, p)),
                                      vsapi->getStride(t, p)});
        }
        try {
            engine.run(views, MutableFrameView{w, h, engine.output_type(), out_planes});
        } catch (...) {
            for (VSFrame* t : targets) vsapi->freeFrame(t);
            throw;
        }
        if (!d->flexible_prop) return targets.front();

        const VSFrame* first = targets.front();
        const int plane0 = 0;
        VSFrame* dst =
            vsapi->newVideoFrame2(&d->plane_format, w, h, &first, &plane0, src.front().get(), core);
        VSMap* props = vsapi->getFramePropertiesRW(dst);
        for (std::size_t p = 0; p < targets.size(); ++p)
            vsapi->mapConsumeFrame(props, (*d->flexible_prop + std::to_string(p)).c_str(),
                                   targets[p], maReplace);
        return dst;
    } catch (const std::exception& e) {
        vsapi->setFilterError(filter_error(e.what()).c_str(), ctx);
        return nullptr;
    }
}

void VS_CC free_model(void* instance, VSCore*, const VSAPI*) {
    delete static_cast<ModelData*>(instance);
}

}  // namespace

void VS_CC create_model(const VSMap* in, VSMap* out, void* user_data, VSCore* core,
                        const VSAPI* vsapi) {
    auto d = std::make_unique<ModelData>();
    try {
        const int count = vsapi->mapNumElements(in, "clips");
        if (count < 1) fail("at least one clip is required");
        std::vector<const VSVideoInfo*> vis;
        for (int i = 0; i < count; ++i) {
            d->nodes.emplace_back(vsapi->mapGetNode(in, "clips", i, nullptr), NodeDeleter{vsapi});
            if (vsapi->getNodeType(d->nodes.back().get()) != mtVideo)
                fail("clip " + std::to_string(i) + " is not video");
            vis.push_back(vsapi->getVideoInfo(d->nodes.back().get()));
        }
        check_clips(vis, vsapi);

        const config::ArgMap args = args_from_vsmap(in, vsapi);
        const EngineOptions options = config::engine_options_from_args(args, TileMode::Literal);
        d->flexible_prop = config::flexible_output_prop_from_args(args);
        const auto plugin_dir =
            std::filesystem::path(vsapi->getPluginPath(static_cast<const VSPlugin*>(user_data)))
                .parent_path();
        const ModelSource model = config::model_source_from_args(args, plugin_dir);

        InputFormat format{
            vis[0]->width, vis[0]->height, sample_type(vis[0]->format.bitsPerSample), {}};
        for (const auto* vi : vis) format.planes_per_clip.push_back(vi->format.numPlanes);
        EngineOptions engine_options = options;
        engine_options.flexible_output = d->flexible_prop.has_value();
        // int8 calibrates on frames spread over the clip, fetched here, before any request.
        engine_options.int8_calibration = config::calibration_for(
            model, format, engine_options, config::calibration_args_from_args(args),
            vis[0]->numFrames, [&](int n, Calibrator& calibrator) {
                std::vector<FramePtr> src;
                for (auto& node : d->nodes) {
                    char error[1024] = {};
                    const VSFrame* f = vsapi->getFrame(n, node.get(), error, sizeof error);
                    if (f == nullptr)
                        fail("int8 calibration could not get frame " + std::to_string(n) + ": " +
                             error);
                    src.emplace_back(f, FrameDeleter{vsapi});
                }
                std::vector<std::vector<PlaneView>> planes;
                calibrator.add(frame_views(src, planes, vsapi));
            });
        d->engine.emplace(model, format, engine_options);
        // What the engine changed from what was asked (float32 where the GPU lacks float16).
        for (const std::string& note : d->engine->model_info().notes)
            vsapi->logMessage(mtWarning, ("ort.Model: " + note).c_str(), core);

        const Engine& engine = *d->engine;
        const int bits = bits_of(engine.output_type());
        vsapi->queryVideoFormat(&d->plane_format, cfGray, stFloat, bits, 0, 0, core);
        d->vi = *vis[0];
        d->vi.width = engine.output_width();
        d->vi.height = engine.output_height();
        if (d->flexible_prop || engine.output_planes() == 1)
            d->vi.format = d->plane_format;
        else
            vsapi->queryVideoFormat(&d->vi.format, cfRGB, stFloat, bits, 0, 0, core);
    } catch (const std::exception& e) {
        vsapi->mapSetError(out, filter_error(e.what()).c_str());
        return;
    }

    std::vector<VSFilterDependency> deps;
    for (auto& node : d->nodes) deps.push_back({node.get(), rpStrictSpatial});
    const int planes = d->engine->output_planes();
    const bool flexible = d->flexible_prop.has_value();
    VSVideoInfo vi = d->vi;
    vsapi->createVideoFilter(out, "Model", &vi, get_frame, free_model, fmParallel, deps.data(),
                             static_cast<int>(deps.size()), d.release(), core);
    if (flexible) vsapi->mapSetInt(out, "num_planes", planes, maReplace);
}

}  // namespace mlrt::vs
