#include "args.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "mlrt/config/backends.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/error.hpp"

namespace mlrt::python {
namespace {

[[noreturn]] void fail(std::string_view context, std::string_view key, const std::string& problem) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(context) + ": argument '" + std::string(key) + "' " + problem);
}

std::string type_of(py::handle value) {
    return py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>();
}

enum class Scalar { None, Bool, Int, Float, Str, Other };

Scalar kind_of(py::handle v) {
    PyObject* o = v.ptr();
    if (o == Py_None) return Scalar::None;
    if (PyBool_Check(o)) return Scalar::Bool;
    if (PyLong_Check(o)) return Scalar::Int;
    if (PyFloat_Check(o)) return Scalar::Float;
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) return Scalar::Str;
    if (PyObject_HasAttrString(o, "__fspath__")) return Scalar::Str;
    if (PyObject_HasAttrString(o, "dtype") && type_of(v) == "bool_") return Scalar::Bool;
    if (PyIndex_Check(o)) return Scalar::Int;  // numpy integers, IntEnum subclasses are PyLong
    // numpy floating scalars other than float64 (which is a float)
    if (PyObject_HasAttrString(o, "__float__") && PyObject_HasAttrString(o, "dtype"))
        return Scalar::Float;
    return Scalar::Other;
}

std::int64_t to_int(py::handle v, std::string_view key, std::string_view context) {
    const py::int_ index = py::reinterpret_steal<py::int_>(PyNumber_Index(v.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) fail(context, key, "is out of range: " + py::repr(v).cast<std::string>());
    return static_cast<std::int64_t>(i);
}

std::string to_str(py::handle v) {
    py::object s = py::reinterpret_borrow<py::object>(v);
    if (!PyUnicode_Check(s.ptr()) && !PyBytes_Check(s.ptr()) && !PyByteArray_Check(s.ptr())) {
        s = py::reinterpret_steal<py::object>(PyOS_FSPath(v.ptr()));
        if (!s) throw py::error_already_set();
    }
    if (PyUnicode_Check(s.ptr())) return s.cast<std::string>();
    if (PyByteArray_Check(s.ptr()))
        return {PyByteArray_AsString(s.ptr()), static_cast<std::size_t>(PyByteArray_Size(s.ptr()))};
    return std::string(s.cast<py::bytes>());
}

}  // namespace

config::ArgValue to_arg(py::handle value, std::string_view key, std::string_view context) {
    switch (kind_of(value)) {
        case Scalar::None:
            return std::monostate{};
        case Scalar::Bool:
            return PyObject_IsTrue(value.ptr()) == 1;
        case Scalar::Int:
            return to_int(value, key, context);
        case Scalar::Float:
            return value.cast<double>();
        case Scalar::Str:
            return to_str(value);
        case Scalar::Other:
            break;
    }
    PyObject* o = value.ptr();
    if (PyDict_Check(o) || !PyObject_HasAttrString(o, "__iter__"))
        fail(context, key, "has a type mlrt cannot pass on: " + type_of(value));

    // A collection: every item of one kind (ints and floats together make floats).
    std::vector<py::object> items;
    for (py::handle item : py::reinterpret_borrow<py::iterable>(value))
        items.push_back(py::reinterpret_borrow<py::object>(item));
    if (items.empty()) {
        if (key == "fp16_blacklist_ops") return std::vector<std::string>{};
        return std::vector<std::int64_t>{};
    }
    bool ints = true, numbers = true, strings = true;
    for (const py::object& item : items) {
        const Scalar k = kind_of(item);
        ints = ints && k == Scalar::Int;
        numbers = numbers && (k == Scalar::Int || k == Scalar::Float);
        strings = strings && k == Scalar::Str;
    }
    if (ints) {
        std::vector<std::int64_t> out;
        out.reserve(items.size());
        for (const py::object& item : items) out.push_back(to_int(item, key, context));
        return out;
    }
    if (numbers) {
        std::vector<double> out;
        out.reserve(items.size());
        for (const py::object& item : items) out.push_back(item.cast<double>());
        return out;
    }
    if (strings) {
        std::vector<std::string> out;
        out.reserve(items.size());
        for (const py::object& item : items) out.push_back(to_str(item));
        return out;
    }
    fail(context, key,
         "must hold only integers, only numbers or only strings, got " +
             py::repr(value).cast<std::string>());
}

config::ArgMap to_args(const py::dict& dict, std::string_view context) {
    config::ArgMap args;
    for (const auto& [key, value] : dict) {
        if (!PyUnicode_Check(key.ptr()))
            throw Error(ErrorKind::InvalidArgument, std::string(context) +
                                                        ": argument names must be strings, got " +
                                                        py::repr(key).cast<std::string>());
        const std::string name = key.cast<std::string>();
        args.emplace(name, to_arg(value, name, context));
    }
    return args;
}

py::object from_arg(const config::ArgValue& value) {
    return std::visit(
        [](const auto& v) -> py::object {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>)
                return py::none();
            else if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                               std::is_same_v<T, std::vector<std::int64_t>> ||
                               std::is_same_v<T, std::vector<double>>) {
                py::list list;
                for (const auto& item : v) list.append(py::cast(item));
                return list;
            } else
                return py::cast(v);
        },
        value);
}

py::dict from_args(const config::ArgMap& args) {
    py::dict out;
    for (const auto& [key, value] : args) out[py::str(key)] = from_arg(value);
    return out;
}

void bind_args(py::module_& m) {
    m.def(
        "get_args",
        [](const std::string& provider, const py::dict& fields) {
            // Conversion errors name the type as the configuration layer's own do.
            const config::ArgMap args = to_args(fields, "ORT_" + provider);
            return from_args(config::get_args(config::make_backend(provider, args)));
        },
        py::arg("provider"), py::arg("fields"),
        "The engine arguments of the backend for `provider` built from constructor keyword "
        "arguments (mlrt::config::make_backend + get_args); raises ValueError for invalid ones.");
    m.def(
        "check_base",
        [](const py::dict& fields) { (void)config::ORT::from_fields(to_args(fields, "ORT")); },
        py::arg("fields"), "Validates the shared ORT fields (mlrt::config::ORT::from_fields).");
    m.def(
        "engine_args",
        [](const py::dict& args) {
            const config::ArgMap a = to_args(args, "ort.Model");
            config::ArgMap out = config::engine_args_of(config::engine_options_from_args(a));
            if (auto prop = config::flexible_output_prop_from_args(a))
                out["flexible_output_prop"] = *prop;
            return from_args(out);
        },
        py::arg("args"),
        "The engine arguments `args` (ort.Model's) parse to, as engine_options_from_args "
        "reads them; raises ValueError naming a bad one.");
    m.def(
        "model_argument_names",
        [] {
            std::vector<std::string> names;
            for (std::string_view n : config::model_argument_names()) names.emplace_back(n);
            return names;
        },
        "Every argument name ort.Model takes besides the clips.");
}

}  // namespace mlrt::python
