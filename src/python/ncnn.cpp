// mlrt.import_ncnn's native part: the library's importer, framing resolved as the CLI does.
#include "mlrt/ncnn.hpp"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "args.hpp"

namespace mlrt::python {

void bind_ncnn(py::module_& m) {
    m.def(
        "import_ncnn",
        [](const std::string& param, const std::string& bin, const std::string& program, int scale,
           std::optional<int> prepadding, std::optional<int> multiple) {
            NcnnFraming framing = ncnn_program_framing(program, scale);
            if (prepadding) framing.prepadding = *prepadding;
            if (multiple) framing.size_multiple = *multiple;
            NcnnImport result;
            {
                py::gil_scoped_release release;
                result = import_ncnn(param, bin, framing);
            }
            py::dict info;
            info["layers"] = result.layers;
            info["layer_types"] = result.layer_types;
            info["prepadding"] = framing.prepadding;
            info["multiple"] = framing.size_multiple;
            return py::make_tuple(py::bytes(result.onnx), info);
        },
        py::arg("param"), py::arg("bin"), py::arg("program"), py::arg("scale"),
        py::arg("prepadding"), py::arg("multiple"));
    m.def("ncnn_programs", [] { return ncnn_programs(); });
}

}  // namespace mlrt::python
