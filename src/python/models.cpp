// mlrt.models' native part: the library's catalogue and store.
#include "mlrt/config/models.hpp"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "args.hpp"

namespace mlrt::python {

namespace {

// `notice` (None, or a callable: the wrapper passes logging's) hears the pull's one-line notices.
config::ModelStoreOptions store_options(bool offline, const py::object& notice) {
    config::ModelStoreOptions o;
    o.offline = offline;
    if (!notice.is_none())
        o.notice = [notice](const std::string& line) {
            py::gil_scoped_acquire gil;
            notice(line);
        };
    return o;
}

py::dict to_dict(const config::ModelStore& store, const config::CatalogueEntry& e) {
    py::dict d;
    d["name"] = e.name;
    d["family"] = e.family;
    d["task"] = e.task;
    d["scale"] = e.scale;
    d["planes"] = e.planes;
    d["licence"] = e.licence;
    d["description"] = e.description;
    d["upstream"] = e.upstream;
    d["flags"] = e.flags;
    d["source"] = e.source.describe();
    d["catalogue"] = e.catalogue;
    d["pulled"] = store.is_pulled(e.name);
    d["path"] = store.model_path(e.name);
    return d;
}

}  // namespace

void bind_models(py::module_& m) {
    m.def("models_dir", [] { return config::ModelStore().dir(); });
    m.def("models_list", [] {
        const config::ModelStore store;
        py::list out;
        for (const auto& e : store.entries()) out.append(to_dict(store, e));
        return out;
    });
    m.def(
        "models_is_known",
        [](const std::string& name) { return config::ModelStore().find(name) != nullptr; },
        py::arg("name"));
    m.def(
        "models_path",
        [](const std::string& name, bool offline, const py::object& notice) {
            config::ModelStore store(store_options(offline, notice));
            py::gil_scoped_release release;
            return store.path(name);
        },
        py::arg("name"), py::arg("offline"), py::arg("notice"));
    m.def(
        "models_pull",
        [](const std::string& name, bool force, bool offline, const py::object& notice) {
            config::ModelStore store(store_options(offline, notice));
            py::gil_scoped_release release;
            return store.pull(name, force);
        },
        py::arg("name"), py::arg("force"), py::arg("offline"), py::arg("notice"));
    m.def(
        "models_remove",
        [](const std::string& name) {
            return config::ModelStore(store_options(true, py::none())).remove(name);
        },
        py::arg("name"));
}

}  // namespace mlrt::python
