// ONNX Runtime's log lines into Python: mlrt::set_log_handler with a handler that takes the GIL
// and calls a Python function (the package's, which logs to "mlrt.onnxruntime").
#include "mlrt/log.hpp"

#include <memory>

#include "args.hpp"

namespace mlrt::python {
namespace {

// Holds the Python function. Dropped on whichever thread holds the last reference, so the
// reference is released under the GIL, and not at all once Python is gone.
py::str text(std::string_view s) {
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (!o) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(o);
}

std::shared_ptr<py::object> hold(py::object fn) {
    return {new py::object(std::move(fn)), [](py::object* p) {
                if (Py_IsInitialized()) {
                    const py::gil_scoped_acquire gil;
                    delete p;
                }
            }};
}

void set_handler(const py::object& fn) {
    if (fn.is_none()) {
        (void)set_log_handler({});
        return;
    }
    if (!PyCallable_Check(fn.ptr()))
        throw py::type_error("set_log_handler takes a callable or None");
    auto target = hold(fn);
    LogHandler previous = set_log_handler([target](const LogRecord& r) {
        if (!Py_IsInitialized()) return;
        const py::gil_scoped_acquire gil;
        try {
            (*target)(static_cast<int>(r.severity), text(r.logger), text(r.location),
                      text(r.message));
        } catch (py::error_already_set& e) {
            e.discard_as_unraisable("mlrt log handler");
        } catch (...) {  // a line that cannot be passed on is dropped
        }
    });
    // The previous handler may hold a Python function: let it go with the GIL released, as its
    // holder takes the GIL itself.
    const py::gil_scoped_release release;
    previous = nullptr;
}

}  // namespace

void bind_log(py::module_& m) {
    m.def("set_log_handler", &set_handler, py::arg("handler"),
          "handler(severity: int, logger: str, location: str, message: str) for every ONNX "
          "Runtime log line, called on the thread that logs; None: stderr again.");
}

}  // namespace mlrt::python
