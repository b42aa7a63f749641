#include "mlrt/profile.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "mlrt/error.hpp"

namespace mlrt {
namespace {

void sort_by_time(std::vector<NodeTime>& v) {
    std::stable_sort(v.begin(), v.end(),
                     [](const NodeTime& a, const NodeTime& b) { return a.ms > b.ms; });
}

}  // namespace

std::vector<NodeTime> Profile::by_op_type() const {
    std::map<std::string, NodeTime> sum;
    for (const NodeTime& n : nodes) {
        NodeTime& s = sum[n.op_type];
        s.op_type = n.op_type;
        s.provider = n.provider;
        s.ms += n.ms;
        s.calls += n.calls;
    }
    std::vector<NodeTime> out;
    out.reserve(sum.size());
    for (auto& [op, t] : sum) out.push_back(t);
    sort_by_time(out);
    return out;
}

double Profile::kernel_ms() const {
    double ms = 0;
    for (const NodeTime& n : nodes) ms += n.ms;
    return ms;
}

Profile parse_ort_profile(const std::string& text) {
    // A Chrome trace: an array of events; "Node" events named "<node>_kernel_time" carry each
    // kernel's duration in microseconds, "Session" events named "model_run" each run's.
    const nlohmann::json events = nlohmann::json::parse(text, nullptr, false);
    if (!events.is_array())
        throw Error(ErrorKind::Runtime, "ONNX Runtime's profile is not a JSON array of events");
    Profile p;
    std::map<std::string, NodeTime> nodes;
    constexpr std::string_view kSuffix = "_kernel_time";
    for (const auto& e : events) {
        if (!e.is_object()) continue;
        const std::string cat = e.value("cat", "");
        const std::string name = e.value("name", "");
        const double ms = e.value("dur", 0.0) / 1000.0;
        if (cat == "Session" && name == "model_run") {
            ++p.runs;
            p.run_ms += ms;
        } else if (cat == "Node" && name.size() > kSuffix.size() &&
                   name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
            const std::string node = name.substr(0, name.size() - kSuffix.size());
            NodeTime& t = nodes[node];
            t.node = node;
            if (const auto args = e.find("args"); args != e.end() && args->is_object()) {
                t.op_type = args->value("op_name", t.op_type);
                t.provider = args->value("provider", t.provider);
            }
            t.ms += ms;
            ++t.calls;
        }
    }
    p.nodes.reserve(nodes.size());
    for (auto& [name, t] : nodes) p.nodes.push_back(std::move(t));
    sort_by_time(p.nodes);
    return p;
}

}  // namespace mlrt
