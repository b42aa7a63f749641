#include "engine/fp16/io_adapter.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/fp16/graph.hpp"
#include "engine/fp16/types.hpp"

namespace mlrt::detail::fp16 {
namespace {

class IoAdapter {
  public:
    IoAdapter(onnx::GraphProto& graph, const Fp16Options& options)
        : graph_(graph), options_(options), names_(graph) {}

    void run() {
        std::unordered_set<std::string> fixed;  // initializers and pass-through I/O
        for (const auto& t : graph_.initializer()) fixed.insert(t.name());
        for (const auto& in : graph_.input())
            for (const auto& out : graph_.output())
                if (in.name() == out.name()) fixed.insert(in.name());
        const std::int32_t in_type = options_.input_float32 ? kFloat : kHalf;
        const std::int32_t out_type = options_.output_float32 ? kFloat : kHalf;
        std::vector<onnx::NodeProto> head;
        for (auto& in : *graph_.mutable_input()) {
            const std::int32_t type = io_type(in);
            if (type == 0 || type == in_type || fixed.count(in.name()) != 0) continue;
            const std::string internal =
                names_.fresh(in.name() + (type == kHalf ? "_fp16" : "_fp32"));
            rename_uses(graph_, in.name(), internal, true);
            head.push_back(make_cast(in.name(), internal, type, names_.fresh(internal + "_cast")));
            in.mutable_type()->mutable_tensor_type()->set_elem_type(in_type);
        }
        prepend(std::move(head));
        for (auto& out : *graph_.mutable_output()) {
            const std::int32_t type = io_type(out);
            if (type == 0 || type == out_type || fixed.count(out.name()) != 0) continue;
            onnx::NodeProto* producer = find_producer(out.name());
            if (producer == nullptr) continue;
            const std::string internal =
                names_.fresh(out.name() + (type == kHalf ? "_fp16" : "_fp32"));
            rename_uses(graph_, out.name(), internal, true);
            for (auto& o : *producer->mutable_output())
                if (o == out.name()) o = internal;
            *graph_.add_node() =
                make_cast(internal, out.name(), out_type, names_.fresh(out.name() + "_cast"));
            out.mutable_type()->mutable_tensor_type()->set_elem_type(out_type);
        }
    }

  private:
    static std::int32_t io_type(const onnx::ValueInfoProto& vi) {
        if (!vi.type().has_tensor_type()) return 0;
        const std::int32_t type = vi.type().tensor_type().elem_type();
        return type == kFloat || type == kHalf ? type : 0;
    }

    onnx::NodeProto* find_producer(const std::string& name) {
        for (auto& node : *graph_.mutable_node())
            for (const auto& out : node.output())
                if (out == name) return &node;
        return nullptr;
    }

    void prepend(std::vector<onnx::NodeProto> nodes) {
        auto* field = graph_.mutable_node();
        const int old_size = field->size();
        for (auto& node : nodes) *field->Add() = std::move(node);
        // Rotate the new nodes to the front, keeping both groups' order.
        std::rotate(field->begin(), field->begin() + old_size, field->end());
    }

    static bool defines(const onnx::GraphProto& g, const std::string& name) {
        auto named = [&](const auto& list) {
            return std::any_of(list.begin(), list.end(),
                               [&](const auto& x) { return x.name() == name; });
        };
        if (named(g.input()) || named(g.initializer())) return true;
        return std::any_of(g.node().begin(), g.node().end(), [&](const onnx::NodeProto& n) {
            return std::find(n.output().begin(), n.output().end(), name) != n.output().end();
        });
    }

    // Points every reader of `from` (nested subgraphs included) at `to`; the main graph's own
    // outputs keep their public names.
    static void rename_uses(onnx::GraphProto& g, const std::string& from, const std::string& to,
                            bool main) {
        for (auto& node : *g.mutable_node()) {
            for (auto& in : *node.mutable_input())
                if (in == from) in = to;
            for_each_subgraph(node, [&](onnx::GraphProto& sub) {
                if (!defines(sub, from)) rename_uses(sub, from, to, false);
            });
        }
        for (auto& vi : *g.mutable_value_info())
            if (vi.name() == from) vi.set_name(to);
        if (main) return;
        for (auto& out : *g.mutable_output())
            if (out.name() == from) out.set_name(to);
    }

    onnx::GraphProto& graph_;
    const Fp16Options& options_;
    NameGenerator names_;
};

}  // namespace

void adapt_io(onnx::GraphProto& graph, const Fp16Options& options) {
    IoAdapter(graph, options).run();
}

}  // namespace mlrt::detail::fp16
