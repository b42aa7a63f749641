#include "mlrt/profile.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

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

Profile parse_ort_profile(const std::string& text, int skip_runs) {
    // A Chrome trace: an array of events; "Node" events named "<node>_kernel_time" carry each
    // kernel's duration in microseconds, "Session" events named "model_run" each run's; "ts" is
    // each event's start.
    const nlohmann::json events = nlohmann::json::parse(text, nullptr, false);
    if (!events.is_array())
        throw Error(ErrorKind::Runtime, "ONNX Runtime's profile is not a JSON array of events");
    const auto is_run = [](const nlohmann::json& e) {
        return e.is_object() && e.value("cat", "") == "Session" &&
               e.value("name", "") == "model_run";
    };
    std::vector<double> run_starts;
    for (const auto& e : events)
        if (is_run(e)) run_starts.push_back(e.value("ts", 0.0));
    skip_runs = std::max(0, skip_runs);
    if (skip_runs > 0 && std::cmp_greater_equal(skip_runs, run_starts.size()))
        throw Error(ErrorKind::Runtime,
                    "ONNX Runtime's profile holds " + std::to_string(run_starts.size()) +
                        " run(s), none after the " + std::to_string(skip_runs) + " warm-up run(s)");
    std::sort(run_starts.begin(), run_starts.end());
    const double first_kept =
        skip_runs > 0 ? run_starts[static_cast<std::size_t>(skip_runs)] : -1.0;

    Profile p;
    std::map<std::string, NodeTime> nodes;
    constexpr std::string_view kSuffix = "_kernel_time";
    for (const auto& e : events) {
        if (!e.is_object() || e.value("ts", 0.0) < first_kept) continue;
        const std::string cat = e.value("cat", "");
        const std::string name = e.value("name", "");
        const double ms = e.value("dur", 0.0) / 1000.0;
        if (is_run(e)) {
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
