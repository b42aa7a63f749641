#include "engine/frame_checks.hpp"

#include <string>

#include "mlrt/error.hpp"

namespace mlrt::detail {

void check_clips(const InputFormat& input, std::span<const FrameView> clips) {
    const auto bad = [](const std::string& m) { throw Error(ErrorKind::InvalidArgument, m); };
    if (clips.size() != input.planes_per_clip.size())
        bad("expected " + std::to_string(input.planes_per_clip.size()) + " input clip(s), got " +
            std::to_string(clips.size()));
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const FrameView& c = clips[i];
        const std::string which = "input clip " + std::to_string(i);
        if (c.width != input.width || c.height != input.height)
            bad(which + " is " + std::to_string(c.width) + "x" + std::to_string(c.height) +
                ", expected " + std::to_string(input.width) + "x" + std::to_string(input.height));
        if (c.type != input.type)
            bad(which + " holds " + to_string(c.type) + " samples, expected " +
                to_string(input.type));
        if (static_cast<int>(c.planes.size()) != input.planes_per_clip[i])
            bad(which + " has " + std::to_string(c.planes.size()) + " planes, expected " +
                std::to_string(input.planes_per_clip[i]));
        for (const auto& p : c.planes)
            if (!p.data) bad(which + " has a null plane");
    }
}

}  // namespace mlrt::detail
