// Colour and field-order tags a file may fill with numbers FFmpeg has no name for: each is read
// as no tag at all (the gaps filled as for an untagged stream), never loaded as an enum value it
// cannot hold (undefined behaviour, which the media fuzzer found through an H.264 stream whose
// chroma sample location FFmpeg 5.1 passes through as 33).
#include <gtest/gtest.h>

#include <cstring>
#include <type_traits>

#include "media/colour.hpp"
#include "media/ffmpeg.hpp"
#include "media/interlace.hpp"

namespace {

using namespace mlrt::cli;

// Stores `raw` in an enum field without forming the enum value, as a C decoder would.
template <class Enum>
void store_raw(Enum& field, std::underlying_type_t<Enum> raw) {
    std::memcpy(&field, &raw, sizeof raw);
}

av::FramePtr sd_yuv420_frame() {
    av::FramePtr frame = av::alloc_frame();
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = 720;
    frame->height = 480;
    return frame;
}

TEST(ColourTags, UnknownTagsAreReadAsUntagged) {
    const av::FramePtr untagged = sd_yuv420_frame();
    const ColourSpec expected = resolve_source_colour(*untagged, AV_CODEC_ID_H264);
    // An untagged SD stream is BT.601 limited range with left-sited chroma.
    ASSERT_EQ(expected.matrix, AVCOL_SPC_SMPTE170M);
    ASSERT_EQ(expected.range, AVCOL_RANGE_MPEG);
    ASSERT_EQ(expected.transfer, AVCOL_TRC_SMPTE170M);
    ASSERT_EQ(expected.primaries, AVCOL_PRI_SMPTE170M);
    ASSERT_EQ(expected.chroma_location, AVCHROMA_LOC_LEFT);

    av::FramePtr frame = sd_yuv420_frame();
    store_raw(frame->chroma_location, 33);  // beyond the enum's range
    store_raw(frame->colorspace, 200);
    store_raw(frame->color_range, 77);
    store_raw(frame->color_trc, 4000);
    store_raw(frame->color_primaries, 13);  // inside the enum's range, but no primaries
    const ColourSpec c = resolve_source_colour(*frame, AV_CODEC_ID_H264);
    EXPECT_EQ(c.matrix, expected.matrix);
    EXPECT_EQ(c.range, expected.range);
    EXPECT_EQ(c.transfer, expected.transfer);
    EXPECT_EQ(c.primaries, expected.primaries);
    EXPECT_EQ(c.chroma_location, expected.chroma_location);
    EXPECT_EQ(describe(c), describe(expected));
}

TEST(ColourTags, KnownTagsAreKept) {
    av::FramePtr frame = sd_yuv420_frame();
    frame->chroma_location = AVCHROMA_LOC_TOPLEFT;
    frame->colorspace = AVCOL_SPC_BT709;
    frame->color_range = AVCOL_RANGE_JPEG;
    frame->color_trc = AVCOL_TRC_SMPTE2084;
    frame->color_primaries = AVCOL_PRI_EBU3213;  // the last primaries, after the gap
    const ColourSpec c = resolve_source_colour(*frame, AV_CODEC_ID_H264);
    EXPECT_EQ(c.chroma_location, AVCHROMA_LOC_TOPLEFT);
    EXPECT_EQ(c.matrix, AVCOL_SPC_BT709);
    EXPECT_EQ(c.range, AVCOL_RANGE_JPEG);
    EXPECT_EQ(c.transfer, AVCOL_TRC_SMPTE2084);
    EXPECT_EQ(c.primaries, AVCOL_PRI_EBU3213);
}

TEST(ColourTags, UnknownFieldOrderIsNoOrder) {
    AVFormatContext* context = avformat_alloc_context();
    ASSERT_NE(context, nullptr);
    AVStream* stream = avformat_new_stream(context, nullptr);
    ASSERT_NE(stream, nullptr);
    const av::FramePtr progressive = sd_yuv420_frame();

    stream->codecpar->field_order = AV_FIELD_BT;
    EXPECT_EQ(field_order(*stream), AV_FIELD_BT);
    EXPECT_EQ(interlacing(*stream, *progressive), "bottom field first");

    store_raw(stream->codecpar->field_order, 9);
    EXPECT_EQ(field_order(*stream), AV_FIELD_UNKNOWN);
    EXPECT_EQ(interlacing(*stream, *progressive), "");
    EXPECT_EQ(av::tag_value(stream->codecpar->field_order), 9);
    avformat_free_context(context);
}

}  // namespace
