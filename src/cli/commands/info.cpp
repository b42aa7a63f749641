// `mlrt info MODEL`: what a model takes and gives, what it is made of, what it costs.
#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "mlrt/inspect.hpp"
#include "model/model_file.hpp"
#include "model/model_names.hpp"
#include "util/args.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

struct InfoArgs {
    std::string model;
    std::string size = "128";
    bool json = false;
};

std::string dims_text(const TensorDescription& t) {
    std::string s = "[";
    for (std::size_t i = 0; i < t.dims.size(); ++i) s += (i ? ", " : "") + t.dims[i];
    return s + "]";
}

std::string si(double v, const char* unit) {
    const char* prefixes[] = {"", "k", "M", "G", "T"};
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        ++i;
    }
    const std::string suffix = std::string(prefixes[i]) + unit;
    return fmt::format("{:.3g}", v) + (suffix.empty() ? "" : " " + suffix);
}

std::string json_tensor(const TensorDescription& t) {
    std::string dims;
    for (std::size_t i = 0; i < t.dims.size(); ++i)
        dims += (i ? ", " : "") + (t.values[i] >= 0 ? t.dims[i] : json_string(t.dims[i]));
    return fmt::format("{{\"name\": {}, \"type\": \"{}\", \"dims\": [{}]}}", json_string(t.name),
                       t.type, dims);
}

int info(const InfoArgs& a) {
    const ModelSource source = read_model_file(a.model);
    const ModelDescription m = describe_model(source);

    // Fixed-size models are measured at their size; dynamic ones at the probe size.
    Size probe = parse_size(a.size, "--size", false);
    if (m.inputs.size() == 1 && m.inputs[0].values.size() == 4) {
        if (m.inputs[0].values[3] > 0) probe.width = static_cast<int>(m.inputs[0].values[3]);
        if (m.inputs[0].values[2] > 0) probe.height = static_cast<int>(m.inputs[0].values[2]);
    }
    std::string why;
    const auto est = estimate_compute(source, probe.width, probe.height, &why);
    const double per_pixel = est && est->out_width > 0
                                 ? est->flops / (static_cast<double>(est->out_width) *
                                                 static_cast<double>(est->out_height))
                                 : 0.0;

    std::string opsets, ops;
    for (const auto& [domain, version] : m.opsets)
        opsets += fmt::format("{}{} {}", opsets.empty() ? "" : ", ",
                              domain.empty() ? "ai.onnx" : domain, version);

    if (a.json) {
        std::string j = "{";
        j += fmt::format(
            "\"model\": {}, \"file_bytes\": {}, \"ir_version\": {}, \"producer\": {}, ",
            json_string(m.source), m.model_bytes, m.ir_version, json_string(m.producer));
        j += "\"opsets\": {";
        for (std::size_t i = 0; i < m.opsets.size(); ++i)
            j += fmt::format("{}{}: {}", i ? ", " : "",
                             json_string(m.opsets[i].first.empty() ? "ai.onnx" : m.opsets[i].first),
                             m.opsets[i].second);
        j += "}, \"inputs\": [";
        for (std::size_t i = 0; i < m.inputs.size(); ++i)
            j += (i ? ", " : "") + json_tensor(m.inputs[i]);
        j += "], \"outputs\": [";
        for (std::size_t i = 0; i < m.outputs.size(); ++i)
            j += (i ? ", " : "") + json_tensor(m.outputs[i]);
        j += "], \"ops\": {";
        bool first = true;
        for (const auto& [op, n] : m.op_counts) {
            j += fmt::format("{}{}: {}", first ? "" : ", ", json_string(op), n);
            first = false;
        }
        j += fmt::format("}}, \"parameters\": {}, ", m.parameters);
        if (est)
            j += fmt::format(
                "\"scale\": {}, \"probe_size\": [{}, {}], \"flops_per_frame\": {:.0f}, "
                "\"flops_per_output_pixel\": {:.1f}, \"uncounted_nodes\": {}",
                est->scale ? std::to_string(est->scale) : "null", est->probe_width,
                est->probe_height, est->flops, per_pixel, est->uncounted);
        else
            j += fmt::format("\"scale\": null, \"flops_per_output_pixel\": null, \"note\": {}",
                             json_string(why));
        std::printf("%s}\n", j.c_str());
        return 0;
    }

    std::printf("model       %s (%s)\n", m.source.c_str(),
                si(static_cast<double>(m.model_bytes), "B").c_str());
    std::printf("format      ONNX IR %lld%s, opset %s\n", static_cast<long long>(m.ir_version),
                m.producer.empty() ? "" : (", from " + m.producer).c_str(), opsets.c_str());
    for (const auto& t : m.inputs)
        std::printf("input       %s: %s %s\n", t.name.c_str(), t.type.c_str(),
                    dims_text(t).c_str());
    for (const auto& t : m.outputs)
        std::printf("output      %s: %s %s\n", t.name.c_str(), t.type.c_str(),
                    dims_text(t).c_str());
    if (est && est->scale)
        std::printf("scale       %d\n", est->scale);
    else if (est)
        std::printf("scale       none (%lldx%lld output for a %dx%d input)\n",
                    static_cast<long long>(est->out_width), static_cast<long long>(est->out_height),
                    est->probe_width, est->probe_height);
    else
        std::printf("scale       unknown (%s)\n", why.c_str());
    std::printf("parameters  %s\n", si(static_cast<double>(m.parameters), "").c_str());
    for (const auto& [op, n] : m.op_counts)
        ops += fmt::format("{}{} x{}", ops.empty() ? "" : ", ", op, n);
    std::printf("ops         %s\n", ops.c_str());
    if (est)
        std::printf(
            "compute     ~%s per output pixel (%s per %dx%d input frame%s)\n",
            si(per_pixel, "FLOP").c_str(), si(est->flops, "FLOP").c_str(), est->probe_width,
            est->probe_height,
            est->uncounted
                ? fmt::format("; {} node(s) of unknown shape not counted", est->uncounted).c_str()
                : "");
    return 0;
}

}  // namespace

Command add_info_command(CLI::App& app) {
    auto a = std::make_shared<InfoArgs>();
    CLI::App* cmd = app.add_subcommand(
        "info", "Describe a model: inputs, outputs, opset, operators, scale, compute");
    cmd->add_option("model", a->model, "ONNX model file, or a model name (`mlrt models list`)")
        ->required();
    cmd->add_option("--size", a->size,
                    "Input size the compute estimate is made at, W or WxH (dynamic models)")
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a, cmd] {
                resolve_model_argument(a->model, *cmd, false);
                return info(*a);
            }};
}

}  // namespace mlrt::cli
