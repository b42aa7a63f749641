// What the machine has and what mlrt picks there: autoselect (with an injectable system for
// tests), the GPUs, the providers that load, versions, and the log level.
#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "args.hpp"
#include "mlrt/config/autoselect.hpp"
#include "mlrt/config/logging.hpp"
#include "mlrt/config/verbosity.hpp"
#include "mlrt/error.hpp"
#include "mlrt/version.hpp"
#include "mlrt/webgpu.hpp"

namespace mlrt::python {
namespace {

constexpr std::string_view kContext = "autoselect";

[[noreturn]] void fail(std::string_view key, const std::string& problem) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(kContext) + ": argument '" + std::string(key) + "' " + problem);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

config::GpuVendor parse_vendor(const std::string& name) {
    const std::string v = lower(name);
    if (v == "nvidia") return config::GpuVendor::NVIDIA;
    if (v == "amd") return config::GpuVendor::AMD;
    if (v == "intel") return config::GpuVendor::Intel;
    if (v == "apple") return config::GpuVendor::Apple;
    fail("_gpus", "vendors must be NVIDIA, AMD, Intel or Apple, got '" + name + "'");
}

std::uint32_t pci_id_of(config::GpuVendor v) {
    switch (v) {
        case config::GpuVendor::NVIDIA:
            return 0x10de;
        case config::GpuVendor::AMD:
            return 0x1002;
        case config::GpuVendor::Intel:
            return 0x8086;
        case config::GpuVendor::Apple:
            return 0;
    }
    return 0;
}

// A test's GPU list: each entry a vendor name or (vendor name, PCI vendor id), in device order.
std::vector<config::GpuInfo> parse_gpus(const py::iterable& gpus) {
    std::vector<config::GpuInfo> out;
    int per_vendor[4] = {};
    for (py::handle entry : gpus) {
        config::GpuInfo g;
        if (py::isinstance<py::str>(entry)) {
            g.vendor = parse_vendor(entry.cast<std::string>());
            g.pci_vendor_id = pci_id_of(g.vendor);
        } else {
            const auto t = py::tuple(py::reinterpret_borrow<py::object>(entry));
            if (t.empty() || t.size() > 2)
                fail("_gpus", "entries must be 'vendor' or ('vendor', pci_vendor_id)");
            g.vendor = parse_vendor(t[0].cast<std::string>());
            g.pci_vendor_id = t.size() == 2 ? t[1].cast<std::uint32_t>() : pci_id_of(g.vendor);
        }
        g.index = static_cast<int>(out.size());
        g.vendor_index = per_vendor[static_cast<int>(g.vendor)]++;
        g.location = "injected:" + std::to_string(g.index);
        out.push_back(std::move(g));
    }
    return out;
}

config::Platform parse_platform(const std::string& name) {
    const std::string p = lower(name);
    if (p == "linux") return config::Platform::Linux;
    if (p == "windows") return config::Platform::Windows;
    if (p == "macos" || p == "darwin") return config::Platform::MacOS;
    if (p == "other") return config::Platform::Other;
    fail("_platform", "must be Linux, Windows, MacOS (Darwin) or Other, got '" + name + "'");
}

std::string describe(const std::vector<config::GpuInfo>& gpus) {
    if (gpus.empty()) return "no GPUs found";
    std::string out = "GPUs found: ";
    for (std::size_t i = 0; i < gpus.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(gpus[i].index) + ": " + config::to_string(gpus[i].vendor);
        if (!gpus[i].location.empty()) out += " (" + gpus[i].location + ")";
    }
    return out;
}

py::dict gpu_dict(const config::GpuInfo& g) {
    py::dict d;
    d["vendor"] = config::to_string(g.vendor);
    d["index"] = g.index;
    d["vendor_index"] = g.vendor_index;
    d["pci_vendor_id"] = g.pci_vendor_id;
    d["pci_device_id"] = g.pci_device_id;
    d["location"] = g.location;
    return d;
}

py::dict adapters_dict(const AdapterList& list) {
    py::list adapters;
    for (const GpuAdapter& a : list.adapters) {
        py::dict d;
        d["index"] = a.index;
        d["name"] = a.name;
        d["vendor"] = a.vendor;
        d["backend"] = a.backend;
        d["driver"] = a.driver;
        d["kind"] = to_string(a.kind);
        d["software"] = a.software();
        d["shader_f16"] = a.shader_f16;
        d["pci_vendor_id"] = a.vendor_id;
        d["pci_device_id"] = a.device_id;
        adapters.append(d);
    }
    py::dict d;
    d["adapters"] = adapters;
    d["problem"] = list.problem.empty() ? py::object(py::none()) : py::str(list.problem);
    return d;
}

// Test adapters: (pci_vendor_id, pci_device_id, software) in Dawn's order.
AdapterList parse_adapters(const py::object& webgpu) {
    AdapterList list;
    for (py::handle item : webgpu.cast<py::iterable>()) {
        const auto t = item.cast<std::tuple<std::uint32_t, std::uint32_t, bool>>();
        GpuAdapter a;
        a.index = static_cast<int>(list.adapters.size());
        a.vendor_id = std::get<0>(t);
        a.device_id = std::get<1>(t);
        a.kind = std::get<2>(t) ? AdapterKind::Software : AdapterKind::DiscreteGpu;
        list.adapters.push_back(a);
    }
    return list;
}

// (provider, device_id or None) of the backend autoselect picks; the Python side builds its
// dataclass from the caller's fields and this device.
py::tuple autoselect(py::handle device_id, const py::dict& fields, const py::object& gpus,
                     const py::object& loadable, const py::object& platform,
                     const py::object& webgpu) {
    const config::ArgValue id = to_arg(device_id, "device_id", kContext);
    const auto* id_int = std::get_if<std::int64_t>(&id);
    if (!id_int)
        fail("device_id", std::string("must be an integer, got ") + config::type_name(id) + " " +
                              config::to_string(id));
    config::SystemProbe probe;
    probe.gpus = gpus.is_none() ? config::detect_gpus() : parse_gpus(gpus);
    if (!loadable.is_none()) {
        std::set<Provider> set;
        for (py::handle name : loadable.cast<py::iterable>())
            set.insert(parse_provider(name.cast<std::string>()));
        probe.provider_loads = [set](Provider p, int) { return set.contains(p); };
    }
    if (!platform.is_none()) probe.platform = parse_platform(platform.cast<std::string>());
    // A test that gives the GPUs gives the WebGPU adapters too (none unless it says).
    if (!webgpu.is_none())
        probe.webgpu_adapters = parse_adapters(webgpu);
    else if (!gpus.is_none())
        probe.webgpu_adapters = AdapterList{};
    if (*id_int > std::numeric_limits<int>::max())
        fail("device_id", "must be <= " + std::to_string(std::numeric_limits<int>::max()) +
                              ", got " + std::to_string(*id_int) + " (" + describe(*probe.gpus) +
                              ")");

    const config::ArgMap args = to_args(fields, kContext);
    std::optional<config::Backend> backend;
    try {
        const py::gil_scoped_release release;  // provider load checks can take a moment
        backend = config::autoselect(static_cast<int>(*id_int), args, probe);
    } catch (const Error& e) {
        // The configuration layer's message, and which devices there are to choose from.
        if (e.kind() == ErrorKind::InvalidArgument && *id_int < 0)
            throw Error(e.kind(), std::string(e.what()) + " (" + describe(*probe.gpus) + ")");
        throw;
    }
    py::object device = py::none();
    if (const auto* cuda = std::get_if<config::ORT_CUDA>(&*backend))
        device = py::int_(cuda->device_id());
    else if (const auto* dml = std::get_if<config::ORT_DML>(&*backend))
        device = py::int_(dml->device_id());
    else if (const auto* webgpu = std::get_if<config::ORT_WEBGPU>(&*backend))
        device = py::int_(webgpu->device_id());
    return py::make_tuple(std::string(config::provider_name(*backend)), device);
}

}  // namespace

void bind_system(py::module_& m) {
    m.def("autoselect", &autoselect, py::arg("device_id"), py::arg("fields"),
          py::arg("gpus") = py::none(), py::arg("loadable") = py::none(),
          py::arg("platform") = py::none(), py::arg("webgpu") = py::none(),
          "mlrt::config::autoselect: (provider, device_id or None). `gpus`, `loadable`, "
          "`platform` and `webgpu` replace this machine's for tests.");
    m.def("webgpu_adapters", [] {
        AdapterList list;
        {
            const py::gil_scoped_release release;
            list = webgpu_adapters();
        }
        return adapters_dict(list);
    });
    m.def("detect_gpus", [] {
        py::list out;
        for (const config::GpuInfo& g : config::detect_gpus()) out.append(gpu_dict(g));
        return out;
    });
    m.def(
        "loadable_providers",
        [](int device_id) {
            std::vector<std::string> names;
            const py::gil_scoped_release release;  // loading providers logs, maybe elsewhere
            for (Provider p : loadable_providers(device_id)) names.emplace_back(to_string(p));
            return names;
        },
        py::arg("device_id") = 0);
    m.def("runtime_info", [] {
        RuntimeInfo info;
        {
            const py::gil_scoped_release release;
            info = runtime_info();
        }
        py::dict d;
        d["version"] = info.mlrt_version;
        d["onnxruntime_version"] = info.onnxruntime_version;
        d["reported_providers"] = info.reported_providers;
        d["loadable_providers"] = info.loadable_providers;
        d["webgpu"] = adapters_dict(info.webgpu);
        return d;
    });
    m.def("version", [] { return std::string(version()); });
    m.def(
        "verbosity_from_logging",
        [](int level) { return static_cast<int>(config::verbosity_from_logging(level)); },
        py::arg("level"));
    m.def("set_log_level", &config::set_log_level, py::arg("level"));
    m.def("get_log_level", &config::get_log_level);
}

}  // namespace mlrt::python
