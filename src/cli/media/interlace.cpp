#include "media/interlace.hpp"

namespace mlrt::cli {

AVFieldOrder field_order(const AVStream& stream) {
    constexpr auto kOrders = static_cast<AVFieldOrder>(AV_FIELD_BT + 1);
    return av::known_tag(stream.codecpar->field_order, kOrders, AV_FIELD_UNKNOWN);
}

std::string interlacing(const AVStream& stream, const AVFrame& first) {
    switch (field_order(stream)) {
        case AV_FIELD_TT:
        case AV_FIELD_TB:
            return "top field first";
        case AV_FIELD_BB:
        case AV_FIELD_BT:
            return "bottom field first";
        default:
            break;
    }
        // Containers often leave the field order unset; the decoder's flags still tell.
#ifdef AV_FRAME_FLAG_INTERLACED
    if (first.flags & AV_FRAME_FLAG_INTERLACED)
        return first.flags & AV_FRAME_FLAG_TOP_FIELD_FIRST ? "top field first"
                                                           : "bottom field first";
#else
    if (first.interlaced_frame)
        return first.top_field_first ? "top field first" : "bottom field first";
#endif
    return {};
}

}  // namespace mlrt::cli
