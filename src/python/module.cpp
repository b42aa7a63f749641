// mlrt._mlrt: the Python module's native part, over libmlrt's public API only. The reference's
// classes themselves are Python (python/mlrt); they call these functions to validate, compute
// get_args, autoselect and run the engine, so both worlds give the same answers and messages.
#include <exception>

#include "args.hpp"
#include "mlrt/error.hpp"

namespace {

// mlrt::Error crosses into Python as ValueError (the caller's argument, model or file is at
// fault) or RuntimeError (a provider or ONNX Runtime failed), with the library's message and the
// kind as `mlrt_kind`.
// NOLINTNEXTLINE(performance-unnecessary-value-param): the signature pybind11 takes
void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const mlrt::Error& e) {
        PyObject* type = PyExc_RuntimeError;
        switch (e.kind()) {
            case mlrt::ErrorKind::InvalidArgument:
            case mlrt::ErrorKind::InvalidModel:
            case mlrt::ErrorKind::Io:
                type = PyExc_ValueError;
                break;
            case mlrt::ErrorKind::Provider:
            case mlrt::ErrorKind::Runtime:
                type = PyExc_RuntimeError;
                break;
        }
        namespace py = pybind11;
        py::object exc = py::reinterpret_borrow<py::object>(type)(e.what());
        exc.attr("mlrt_kind") = mlrt::to_string(e.kind());
        PyErr_SetObject(type, exc.ptr());
    }
}

}  // namespace

PYBIND11_MODULE(_mlrt, m) {
    m.doc() = "mlrt's native part: the C++ configuration layer and engine (use the mlrt package)";
    pybind11::register_exception_translator(&translate);
    mlrt::python::bind_args(m);
    mlrt::python::bind_system(m);
    mlrt::python::bind_engine(m);
    mlrt::python::bind_log(m);
    mlrt::python::bind_ncnn(m);
    mlrt::python::bind_models(m);
}
