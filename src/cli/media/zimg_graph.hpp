#pragma once
// zimg, the colour conversion library: its image formats built from FFmpeg's colour metadata,
// and an owned filter graph with its scratch memory.
#include <zimg.h>

#include "media/colour.hpp"
#include "media/pixel_formats.hpp"
#include "mlrt/frame.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::cli {

enum class Dither { None, Ordered, Random, ErrorDiffusion };

// What the engine sees: planar float RGB (3 planes) or GRAY (1 plane); and float YUV 4:4:4
// (3 planes): --planes yuv, and a partial model output merged with the source (yuv_merge.hpp).
struct FloatFormat {
    Family family = Family::Rgb;
    SampleType type = SampleType::Float32;
    int width = 0;
    int height = 0;
    int planes() const noexcept { return family == Family::Gray ? 1 : 3; }
};

// An integer (or float) FFmpeg layout with its colour, at the given size.
zimg_image_format integer_format(const PlanarLayout& layout, const ColourSpec& colour, int width,
                                 int height);
// The engine's float planes, full range; `luma_matrix` defines GRAY when GRAY is luma of colour.
zimg_image_format float_format(const FloatFormat& format, const ColourSpec& colour,
                               AVColorSpace luma_matrix);

// One conversion; process() uses the graph's own scratch buffer, so one graph per thread.
class ZimgGraph {
  public:
    ZimgGraph(const zimg_image_format& src, const zimg_image_format& dst, Dither dither);
    ~ZimgGraph();
    ZimgGraph(ZimgGraph&&) noexcept;
    ZimgGraph& operator=(ZimgGraph&&) noexcept;
    ZimgGraph(const ZimgGraph&) = delete;
    ZimgGraph& operator=(const ZimgGraph&) = delete;
    void process(const zimg_image_buffer_const& src, const zimg_image_buffer& dst) const;

  private:
    zimg_filter_graph* graph_ = nullptr;
    AlignedBytes tmp_;
};

}  // namespace mlrt::cli
