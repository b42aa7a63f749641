#pragma once
// Python values <-> the configuration layer's argument maps (ArgValue/ArgMap): a kwargs dict in,
// a get_args dict out. None is "not given" both ways.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string_view>

#include "mlrt/config/args.hpp"

namespace mlrt::python {

namespace py = pybind11;

// None, bool, int (anything with __index__), float, str, bytes (kept as bytes: model bytes with
// path_is_serialization), os.PathLike, and iterables of int, float or str. Anything else is an
// mlrt::Error(InvalidArgument) naming `context` and `key`.
config::ArgValue to_arg(py::handle value, std::string_view key, std::string_view context);
config::ArgMap to_args(const py::dict& dict, std::string_view context);

py::object from_arg(const config::ArgValue& value);
py::dict from_args(const config::ArgMap& args);

// The extension's parts, each adding its functions to the module.
void bind_args(py::module_& m);
void bind_engine(py::module_& m);
void bind_system(py::module_& m);
void bind_log(py::module_& m);
void bind_ncnn(py::module_& m);
void bind_models(py::module_& m);

}  // namespace mlrt::python
