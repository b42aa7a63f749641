#include "media/zimg_graph.hpp"

#include <string>
#include <utility>

#include "mlrt/error.hpp"

namespace mlrt::cli {
namespace {

[[noreturn]] void zimg_fail(const std::string& what) {
    char msg[1024] = {};
    zimg_get_last_error(msg, sizeof msg);
    zimg_clear_last_error();
    throw Error(ErrorKind::Runtime, what + ": " + msg);
}

// Matching FFmpeg and zimg enums share the ITU-T H.273 code points; only the values zimg knows
// are passed, the rest stay unspecified (the same on both sides, so nothing is converted).
zimg_matrix_coefficients_e zimg_matrix(AVColorSpace m) {
    switch (m) {
        case AVCOL_SPC_RGB:
            return ZIMG_MATRIX_RGB;
        case AVCOL_SPC_BT709:
            return ZIMG_MATRIX_BT709;
        case AVCOL_SPC_FCC:
            return ZIMG_MATRIX_FCC;
        case AVCOL_SPC_BT470BG:
            return ZIMG_MATRIX_BT470_BG;
        case AVCOL_SPC_SMPTE170M:
            return ZIMG_MATRIX_ST170_M;
        case AVCOL_SPC_SMPTE240M:
            return ZIMG_MATRIX_ST240_M;
        case AVCOL_SPC_YCGCO:
            return ZIMG_MATRIX_YCGCO;
        case AVCOL_SPC_BT2020_NCL:
            return ZIMG_MATRIX_BT2020_NCL;
        case AVCOL_SPC_BT2020_CL:
            return ZIMG_MATRIX_BT2020_CL;
        case AVCOL_SPC_CHROMA_DERIVED_NCL:
            return ZIMG_MATRIX_CHROMATICITY_DERIVED_NCL;
        case AVCOL_SPC_CHROMA_DERIVED_CL:
            return ZIMG_MATRIX_CHROMATICITY_DERIVED_CL;
        case AVCOL_SPC_ICTCP:
            return ZIMG_MATRIX_ICTCP;
        default:
            return ZIMG_MATRIX_UNSPECIFIED;
    }
}

zimg_transfer_characteristics_e zimg_transfer(AVColorTransferCharacteristic t) {
    switch (t) {
        case AVCOL_TRC_BT709:
            return ZIMG_TRANSFER_BT709;
        case AVCOL_TRC_GAMMA22:
            return ZIMG_TRANSFER_BT470_M;
        case AVCOL_TRC_GAMMA28:
            return ZIMG_TRANSFER_BT470_BG;
        case AVCOL_TRC_SMPTE170M:
            return ZIMG_TRANSFER_BT601;
        case AVCOL_TRC_SMPTE240M:
            return ZIMG_TRANSFER_ST240_M;
        case AVCOL_TRC_LINEAR:
            return ZIMG_TRANSFER_LINEAR;
        case AVCOL_TRC_LOG:
            return ZIMG_TRANSFER_LOG_100;
        case AVCOL_TRC_LOG_SQRT:
            return ZIMG_TRANSFER_LOG_316;
        case AVCOL_TRC_IEC61966_2_4:
            return ZIMG_TRANSFER_IEC_61966_2_4;
        case AVCOL_TRC_IEC61966_2_1:
            return ZIMG_TRANSFER_IEC_61966_2_1;
        case AVCOL_TRC_BT2020_10:
            return ZIMG_TRANSFER_BT2020_10;
        case AVCOL_TRC_BT2020_12:
            return ZIMG_TRANSFER_BT2020_12;
        case AVCOL_TRC_SMPTE2084:
            return ZIMG_TRANSFER_ST2084;
        case AVCOL_TRC_ARIB_STD_B67:
            return ZIMG_TRANSFER_ARIB_B67;
        default:
            return ZIMG_TRANSFER_UNSPECIFIED;
    }
}

zimg_color_primaries_e zimg_primaries(AVColorPrimaries p) {
    switch (p) {
        case AVCOL_PRI_BT709:
            return ZIMG_PRIMARIES_BT709;
        case AVCOL_PRI_BT470M:
            return ZIMG_PRIMARIES_BT470_M;
        case AVCOL_PRI_BT470BG:
            return ZIMG_PRIMARIES_BT470_BG;
        case AVCOL_PRI_SMPTE170M:
            return ZIMG_PRIMARIES_ST170_M;
        case AVCOL_PRI_SMPTE240M:
            return ZIMG_PRIMARIES_ST240_M;
        case AVCOL_PRI_FILM:
            return ZIMG_PRIMARIES_FILM;
        case AVCOL_PRI_BT2020:
            return ZIMG_PRIMARIES_BT2020;
        case AVCOL_PRI_SMPTE428:
            return ZIMG_PRIMARIES_ST428;
        case AVCOL_PRI_SMPTE431:
            return ZIMG_PRIMARIES_ST431_2;
        case AVCOL_PRI_SMPTE432:
            return ZIMG_PRIMARIES_ST432_1;
        case AVCOL_PRI_EBU3213:
            return ZIMG_PRIMARIES_EBU3213_E;
        default:
            return ZIMG_PRIMARIES_UNSPECIFIED;
    }
}

zimg_chroma_location_e zimg_chroma(AVChromaLocation c) {
    switch (c) {
        case AVCHROMA_LOC_CENTER:
            return ZIMG_CHROMA_CENTER;
        case AVCHROMA_LOC_TOPLEFT:
            return ZIMG_CHROMA_TOP_LEFT;
        case AVCHROMA_LOC_TOP:
            return ZIMG_CHROMA_TOP;
        case AVCHROMA_LOC_BOTTOMLEFT:
            return ZIMG_CHROMA_BOTTOM_LEFT;
        case AVCHROMA_LOC_BOTTOM:
            return ZIMG_CHROMA_BOTTOM;
        default:
            return ZIMG_CHROMA_LEFT;
    }
}

zimg_color_family_e zimg_family(Family f) {
    switch (f) {
        case Family::Gray:
            return ZIMG_COLOR_GREY;
        case Family::Rgb:
            return ZIMG_COLOR_RGB;
        case Family::Yuv:
            return ZIMG_COLOR_YUV;
    }
    return ZIMG_COLOR_RGB;
}

}  // namespace

zimg_image_format integer_format(const PlanarLayout& l, const ColourSpec& c, int width,
                                 int height) {
    zimg_image_format f;
    zimg_image_format_default(&f, ZIMG_API_VERSION);
    f.width = static_cast<unsigned>(width);
    f.height = static_cast<unsigned>(height);
    f.pixel_type =
        l.is_float ? ZIMG_PIXEL_FLOAT : (l.depth > 8 ? ZIMG_PIXEL_WORD : ZIMG_PIXEL_BYTE);
    f.depth = static_cast<unsigned>(l.depth);
    f.subsample_w = static_cast<unsigned>(l.ssw);
    f.subsample_h = static_cast<unsigned>(l.ssh);
    f.color_family = zimg_family(l.family);
    f.matrix_coefficients = l.family == Family::Rgb ? ZIMG_MATRIX_RGB : zimg_matrix(c.matrix);
    f.transfer_characteristics = zimg_transfer(c.transfer);
    f.color_primaries = zimg_primaries(c.primaries);
    f.pixel_range = c.range == AVCOL_RANGE_MPEG && l.family != Family::Rgb ? ZIMG_RANGE_LIMITED
                                                                           : ZIMG_RANGE_FULL;
    f.chroma_location = zimg_chroma(c.chroma_location);
    return f;
}

zimg_image_format float_format(const FloatFormat& ff, const ColourSpec& c,
                               AVColorSpace luma_matrix) {
    zimg_image_format f;
    zimg_image_format_default(&f, ZIMG_API_VERSION);
    f.width = static_cast<unsigned>(ff.width);
    f.height = static_cast<unsigned>(ff.height);
    f.pixel_type = ff.type == SampleType::Float16 ? ZIMG_PIXEL_HALF : ZIMG_PIXEL_FLOAT;
    f.color_family = zimg_family(ff.family);
    // GRAY that comes from colour is luma, so zimg needs the matrix that defines it.
    f.matrix_coefficients = ff.family == Family::Rgb ? ZIMG_MATRIX_RGB : zimg_matrix(luma_matrix);
    f.transfer_characteristics = zimg_transfer(c.transfer);
    f.color_primaries = zimg_primaries(c.primaries);
    f.pixel_range = ZIMG_RANGE_FULL;
    return f;
}

ZimgGraph::ZimgGraph(const zimg_image_format& src, const zimg_image_format& dst, Dither dither) {
    zimg_graph_builder_params params;
    zimg_graph_builder_params_default(&params, ZIMG_API_VERSION);
    // Chroma is resampled (4:2:0 <-> 4:4:4) with Spline36 both ways: sharper than zimg's bilinear
    // default, and a 4:2:0 -> RGB -> 4:2:0 round trip loses far less (about 8 dB better on
    // band-limited chroma) without Lanczos' ringing. Luma is never resized here.
    params.resample_filter = ZIMG_RESIZE_SPLINE36;
    params.resample_filter_uv = ZIMG_RESIZE_SPLINE36;
    switch (dither) {
        case Dither::None:
            params.dither_type = ZIMG_DITHER_NONE;
            break;
        case Dither::Ordered:
            params.dither_type = ZIMG_DITHER_ORDERED;
            break;
        case Dither::Random:
            params.dither_type = ZIMG_DITHER_RANDOM;
            break;
        case Dither::ErrorDiffusion:
            params.dither_type = ZIMG_DITHER_ERROR_DIFFUSION;
            break;
    }
    graph_ = zimg_filter_graph_build(&src, &dst, &params);
    if (!graph_) zimg_fail("cannot build the colour conversion");
    std::size_t tmp = 0;
    if (zimg_filter_graph_get_tmp_size(graph_, &tmp)) zimg_fail("colour conversion");
    tmp_ = allocate_aligned(tmp);
}

ZimgGraph::~ZimgGraph() {
    zimg_filter_graph_free(graph_);
}

ZimgGraph::ZimgGraph(ZimgGraph&& o) noexcept
    : graph_(std::exchange(o.graph_, nullptr)), tmp_(std::move(o.tmp_)) {}

ZimgGraph& ZimgGraph::operator=(ZimgGraph&& o) noexcept {
    if (this != &o) {
        zimg_filter_graph_free(graph_);
        graph_ = std::exchange(o.graph_, nullptr);
        tmp_ = std::move(o.tmp_);
    }
    return *this;
}

void ZimgGraph::process(const zimg_image_buffer_const& src, const zimg_image_buffer& dst) const {
    if (zimg_filter_graph_process(graph_, &src, &dst, tmp_.get(), nullptr, nullptr, nullptr,
                                  nullptr))
        zimg_fail("colour conversion failed");
}

}  // namespace mlrt::cli
