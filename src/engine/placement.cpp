#include "engine/placement.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace mlrt::detail {
namespace {

// " All nodes placed on [X]. Number of nodes: 43" or " Node(s) placed on [X]. Number of nodes: 3"
bool provider_line(const std::string& line, std::string* provider, int* nodes) {
    const auto on = line.find("placed on [");
    if (on == std::string::npos) return false;
    const auto begin = on + 11;
    const auto end = line.find(']', begin);
    if (end == std::string::npos) return false;
    *provider = line.substr(begin, end - begin);
    const auto count = line.find("Number of nodes: ", end);
    *nodes = count == std::string::npos ? 0 : std::atoi(line.c_str() + count + 17);
    return true;
}

}  // namespace

std::vector<NodePlacement> parse_placements(const std::vector<std::string>& lines,
                                            const std::string& preferred_provider) {
    std::map<std::string, NodePlacement> by_provider;
    std::map<std::string, std::map<std::string, int>> ops;
    std::string current;
    for (const std::string& message : lines) {
        std::istringstream in(message);
        std::string line;
        while (std::getline(in, line)) {
            std::string provider;
            int nodes = 0;
            if (provider_line(line, &provider, &nodes)) {
                current = provider;
                by_provider[provider].provider = provider;
                by_provider[provider].nodes = nodes;
                continue;
            }
            // "  OpType (node name)", listed under their provider when there are several
            const auto first = line.find_first_not_of(' ');
            if (current.empty() || first == std::string::npos || first == 0) continue;
            const auto space = line.find(' ', first);
            ops[current][line.substr(first, space - first)] += 1;
        }
    }
    std::vector<NodePlacement> out;
    for (auto& [name, p] : by_provider) {
        for (const auto& [op, n] : ops[name]) p.op_types.emplace_back(op, n);
        std::stable_sort(p.op_types.begin(), p.op_types.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        out.push_back(std::move(p));
    }
    std::stable_sort(out.begin(), out.end(), [&](const NodePlacement& a, const NodePlacement& b) {
        if ((a.provider == preferred_provider) != (b.provider == preferred_provider))
            return a.provider == preferred_provider;
        return a.nodes > b.nodes;
    });
    return out;
}

}  // namespace mlrt::detail

namespace mlrt {

std::string describe_placements(const std::vector<NodePlacement>& placements) {
    std::string s;
    for (const NodePlacement& p : placements) {
        s += s.empty() ? std::to_string(p.nodes) + " nodes on " + p.provider
                       : "; " + std::to_string(p.nodes) + " on " + p.provider;
        if (&p != &placements.front() && !p.op_types.empty()) {
            s += ":";
            for (const auto& [op, n] : p.op_types)
                s += " " + op + (n > 1 ? " x" + std::to_string(n) : "") + ",";
            s.pop_back();
        }
    }
    return s;
}

}  // namespace mlrt
