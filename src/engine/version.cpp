#include "mlrt/version.hpp"

#include <onnx/onnx_pb.h>

#include "engine/ort_env.hpp"
#include "engine/session_factory.hpp"
#include "engine/webgpu/adapter_choice.hpp"
#include "mlrt/error.hpp"

namespace mlrt {
namespace {

// The smallest graph a provider must accept; creating a session on it is the only reliable
// way to know a provider loads (its library, driver and device all have to be there).
std::string probe_model() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("probe");
    auto* n = g->add_node();
    n->set_op_type("Identity");
    n->add_input("x");
    n->add_output("y");
    for (auto [vi, name] : {std::pair{g->add_input(), "x"}, std::pair{g->add_output(), "y"}}) {
        vi->set_name(name);
        auto* t = vi->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
        t->mutable_shape()->add_dim()->set_dim_value(1);
    }
    return m.SerializeAsString();
}

}  // namespace

const char* version() noexcept {
    return MLRT_VERSION;
}

bool provider_loads(Provider p, int device_id, std::string* why) {
    if (p == Provider::CPU) return true;
    EngineOptions o;
    o.provider = p;
    o.device_id = device_id;
    o.log_severity = LogSeverity::Fatal;
    try {
        // A software rasterizer "loads", but is refused unless asked for (adapter_choice.hpp).
        if (p == Provider::WebGPU) {
            const auto choice =
                detail::choose_webgpu_adapter(o, webgpu_adapters(), detail::software_gpu_allowed());
            o.webgpu.power_preference = choice.power_preference;
        }
        // Build options by hand: make_session_options would report failures through
        // loadable_providers(), which calls back here.
        Ort::SessionOptions so;
        so.SetLogSeverityLevel(static_cast<int>(LogSeverity::Fatal));
        detail::append_provider(so, o);
        const std::string bytes = probe_model();
        Ort::Session s(detail::ort_env(), bytes.data(), bytes.size(), so);
        return true;
    } catch (const std::exception& e) {
        if (why) *why = e.what();
        return false;
    }
}

std::vector<Provider> loadable_providers(int device_id) {
    std::vector<Provider> out;
    for (Provider p : kAllProviders)
        if (provider_loads(p, device_id)) out.push_back(p);
    return out;
}

RuntimeInfo runtime_info() {
    RuntimeInfo info;
    info.mlrt_version = version();
    info.onnxruntime_version = Ort::GetVersionString();
    info.reported_providers = Ort::GetAvailableProviders();
    for (Provider p : loadable_providers()) info.loadable_providers.push_back(to_string(p));
    info.webgpu = webgpu_adapters();
    return info;
}

}  // namespace mlrt
