// mlrt.Engine for the numpy path of inference(): one engine per (model, frame geometry, options),
// run on (C, H, W) arrays with the GIL released, so Python threads infer concurrently (the engine
// serves them on its streams, first come, first served).
#include "mlrt/engine.hpp"

#include <pybind11/numpy.h>

#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "mlrt/config/convention.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/error.hpp"

namespace mlrt::python {
namespace {

constexpr std::string_view kContext = "inference";

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::InvalidArgument, std::string(kContext) + ": " + message);
}

SampleType parse_type(const std::string& dtype) {
    if (dtype == "float32") return SampleType::Float32;
    if (dtype == "float16") return SampleType::Float16;
    fail("the sample type must be float32 or float16, got " + dtype);
}

const char* dtype_name(SampleType t) {
    return t == SampleType::Float16 ? "float16" : "float32";
}

py::dtype dtype_of(SampleType t) {
    return py::dtype::from_args(py::str(dtype_name(t)));
}

std::string shape_of(const py::array& a) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
    return s + (a.ndim() == 1 ? ",)" : ")");
}

class PyEngine {
  public:
    // With int8, `calibration` (frames, each a list of arrays as run() takes) calibrates,
    // unless args names a calibration file that exists.
    PyEngine(const py::dict& args, int width, int height, const std::string& dtype,
             std::vector<int> planes_per_clip, const py::list& calibration)
        : input_{width, height, parse_type(dtype), std::move(planes_per_clip)} {
        const config::ArgMap a = to_args(args, "ort.Model");
        EngineOptions options = config::engine_options_from_args(a, TileMode::Literal);
        const ModelSource model = config::model_source_from_args(a, {});
        options.int8_calibration = config::calibration_for(
            model, input_, options, config::calibration_args_from_args(a),
            static_cast<int>(calibration.size()), [&](int n, Calibrator& calibrator) {
                std::vector<py::array> arrays;
                std::vector<std::vector<PlaneView>> planes;
                const auto views = views_of(
                    calibration[static_cast<std::size_t>(n)].cast<py::list>(), arrays, planes);
                const py::gil_scoped_release release;
                calibrator.add(views);
            });
        const py::gil_scoped_release release;  // model preparation and sessions take a while
        engine_ = std::make_unique<Engine>(model, input_, options);
    }

    // The engine's views of one frame: an array (C_i, H, W) per clip in the construction's
    // format; `arrays` and `planes` keep what they point to.
    std::vector<FrameView> views_of(const py::list& clips, std::vector<py::array>& arrays,
                                    std::vector<std::vector<PlaneView>>& planes) const {
        if (clips.size() != input_.planes_per_clip.size())
            fail("expected " + std::to_string(input_.planes_per_clip.size()) + " clip(s), got " +
                 std::to_string(clips.size()));
        const py::dtype want = dtype_of(input_.type);
        planes.assign(clips.size(), {});
        for (std::size_t c = 0; c < clips.size(); ++c) {
            const std::string name = "clips[" + std::to_string(c) + "]";
            if (!py::isinstance<py::array>(clips[c]))
                fail(name + " must be a numpy array, got " +
                     py::str(py::type::handle_of(clips[c]).attr("__name__")).cast<std::string>());
            py::array a = clips[c].cast<py::array>();
            const int channels = input_.planes_per_clip[c];
            if (a.ndim() != 3 || a.shape(0) != channels || a.shape(1) != input_.height ||
                a.shape(2) != input_.width)
                fail(name + " must have shape (" + std::to_string(channels) + ", " +
                     std::to_string(input_.height) + ", " + std::to_string(input_.width) +
                     "), got " + shape_of(a));
            if (!a.dtype().equal(want))
                fail(name + " must be " + dtype_name(input_.type) + ", got " +
                     py::str(a.dtype()).cast<std::string>());
            if (a.strides(2) != a.itemsize())
                fail(name + " must have contiguous rows (np.ascontiguousarray)");
            const auto* base = static_cast<const std::byte*>(a.data());
            for (int p = 0; p < channels; ++p)
                planes[c].push_back({base + p * a.strides(0), a.strides(1)});
            arrays.push_back(std::move(a));
        }
        std::vector<FrameView> views;
        for (std::size_t c = 0; c < planes.size(); ++c)
            views.push_back({input_.width, input_.height, input_.type, planes[c]});
        return views;
    }

    // One frame (see views_of); returns (output_planes, output_height, output_width) of the
    // output type.
    py::array run(const py::list& clips) const {
        std::vector<py::array> arrays;
        std::vector<std::vector<PlaneView>> planes;
        const std::vector<FrameView> views = views_of(clips, arrays, planes);
        const Engine& e = *engine_;
        py::array out(dtype_of(e.output_type()), {static_cast<py::ssize_t>(e.output_planes()),
                                                  static_cast<py::ssize_t>(e.output_height()),
                                                  static_cast<py::ssize_t>(e.output_width())});
        auto* out_base = static_cast<std::byte*>(out.mutable_data());
        std::vector<MutablePlaneView> out_planes;
        out_planes.reserve(static_cast<std::size_t>(e.output_planes()));
        for (int p = 0; p < e.output_planes(); ++p)
            out_planes.push_back({out_base + p * out.strides(0), out.strides(1)});
        {
            const py::gil_scoped_release release;  // `arrays` keeps the inputs alive
            e.run(views, MutableFrameView{e.output_width(), e.output_height(), e.output_type(),
                                          out_planes});
        }
        return out;
    }

    PyEngine(const PyEngine&) = delete;
    PyEngine& operator=(const PyEngine&) = delete;
    // The sessions go with the GIL released: ONNX Runtime may log (into Python) meanwhile.
    ~PyEngine() {
        try {
            const py::gil_scoped_release release;
            engine_.reset();
        } catch (...) {  // the engine then goes with the GIL held
        }
    }

    const Engine& engine() const { return *engine_; }

  private:
    InputFormat input_;
    std::unique_ptr<Engine> engine_;
};

}  // namespace

void bind_engine(py::module_& m) {
    // The float convention for integer arrays, from the library's one definition: (scale,
    // offset) with float = code * scale + offset. `family` and `range` take VapourSynth's values
    // (GRAY 1, RGB 2, YUV 3; full 0, limited 1).
    m.def(
        "plane_coding",
        [](int family, int plane, int range, int bits) {
            if (family < 1 || family > 3 || range < 0 || range > 1)
                fail(
                    "color family must be 1 (GRAY), 2 (RGB) or 3 (YUV) and range 0 (full) or 1 "
                    "(limited), got " +
                    std::to_string(family) + " and " + std::to_string(range));
            const config::ColorFamily f = family == 1   ? config::ColorFamily::GRAY
                                          : family == 2 ? config::ColorFamily::RGB
                                                        : config::ColorFamily::YUV;
            const config::PlaneCoding c =
                config::plane_coding(f, plane, static_cast<config::ColorRange>(range), bits);
            return py::make_tuple(c.scale, c.offset);
        },
        py::arg("family"), py::arg("plane"), py::arg("range"), py::arg("bits"));
    py::class_<PyEngine>(m, "Engine",
                         "mlrt::Engine over one model and frame geometry, for numpy arrays.")
        .def(py::init<const py::dict&, int, int, const std::string&, std::vector<int>,
                      const py::list&>(),
             py::arg("args"), py::arg("width"), py::arg("height"), py::arg("dtype"),
             py::arg("planes_per_clip"), py::arg("calibration") = py::list(),
             "`args`: ort.Model arguments (network_path, tilesize, overlap, fp16, int8, ...). "
             "`calibration`: with int8, the frames (each a list of arrays) to calibrate on.")
        .def("run", &PyEngine::run, py::arg("clips"))
        .def_property_readonly("output_width",
                               [](const PyEngine& p) { return p.engine().output_width(); })
        .def_property_readonly("output_height",
                               [](const PyEngine& p) { return p.engine().output_height(); })
        .def_property_readonly("output_planes",
                               [](const PyEngine& p) { return p.engine().output_planes(); })
        .def_property_readonly(
            "output_dtype", [](const PyEngine& p) { return dtype_name(p.engine().output_type()); })
        .def_property_readonly("num_streams",
                               [](const PyEngine& p) { return p.engine().num_streams(); })
        .def_property_readonly("model_info", [](const PyEngine& p) {
            const ModelInfo& i = p.engine().model_info();
            py::dict d;
            d["input_name"] = i.input_name;
            d["output_name"] = i.output_name;
            d["input_dtype"] = dtype_name(i.input_type);
            d["output_dtype"] = dtype_name(i.output_type);
            d["input_channels"] = i.input_channels;
            d["output_channels"] = i.output_channels;
            d["scale"] = i.scale;
            d["fp16_converted"] = i.fp16_converted;
            d["int8_quantized"] = i.int8_quantized;
            d["int8_nodes"] = i.int8_nodes;
            return d;
        });
}

}  // namespace mlrt::python
