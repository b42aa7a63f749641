// `mlrt probe INPUT`: frame count, keyframes and format of a video, for splitting it into
// chunks (mlrt.distributed) and for checking segments.
#include "media/probe.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "media/ffmpeg.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

struct ProbeArgs {
    std::string input;
    bool json = false;
};

std::string rational(AVRational r) {
    return fmt::format("{}/{}", r.num, r.den);
}

int probe(const ProbeArgs& a) {
    av::set_log_level(false);
    const MediaInfo m = probe_media(a.input);
    if (a.json) {
        std::string keys, tags;
        for (std::size_t i = 0; i < m.keyframes.size(); ++i)
            keys += (i ? ", " : "") + std::to_string(m.keyframes[i]);
        for (const auto& [k, v] : m.tags)
            tags += (tags.empty() ? "" : ", ") + json_string(k) + ": " + json_string(v);
        std::printf(
            "{\"path\": %s, \"codec\": %s, \"pix_fmt\": %s, \"width\": %d, \"height\": %d, "
            "\"frame_rate\": %s, \"frames\": %lld, \"keyframes\": [%s], \"has_audio\": %s, "
            "\"source\": %s, \"tags\": {%s}}\n",
            json_string(m.path).c_str(), json_string(m.codec).c_str(),
            json_string(m.pix_fmt).c_str(), m.width, m.height,
            json_string(rational(m.frame_rate)).c_str(), static_cast<long long>(m.frames),
            keys.c_str(), m.has_audio ? "true" : "false", json_string(m.source).c_str(),
            tags.c_str());
        return 0;
    }
    std::string keys;
    for (std::size_t i = 0; i < m.keyframes.size() && i < 12; ++i)
        keys += (i ? ", " : "") + std::to_string(m.keyframes[i]);
    if (m.keyframes.size() > 12) keys += ", ...";
    std::printf("input       %s\n", m.path.c_str());
    std::printf("video       %s, %s, %dx%d, %s fps\n", m.codec.c_str(), m.pix_fmt.c_str(), m.width,
                m.height, rational(m.frame_rate).c_str());
    std::printf("frames      %lld\n", static_cast<long long>(m.frames));
    std::printf("keyframes   %zu (%s)\n", m.keyframes.size(), keys.c_str());
    if (auto it = m.tags.find("MLRT_FRAMES"); it != m.tags.end())
        std::printf("segment     frames %s of an mlrt run\n", it->second.c_str());
    return 0;
}

}  // namespace

Command add_probe_command(CLI::App& app) {
    auto a = std::make_shared<ProbeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "probe", "Describe a video: format, frame count and keyframes (for splitting into chunks)");
    cmd->add_option("input", a->input, "Video file or image sequence pattern")->required();
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a] { return probe(*a); }};
}

}  // namespace mlrt::cli
