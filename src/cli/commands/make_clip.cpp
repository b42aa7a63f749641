// `mlrt make-clip OUTPUT`: writes a synthetic test clip (moving colour gradient, a bouncing
// square and fine diagonal lines), so the demo needs nothing but mlrt itself.
#include <cmath>
#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "media/converter.hpp"
#include "media/encoder.hpp"
#include "util/args.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::cli {
namespace {

struct MakeClipArgs {
    std::string output;
    std::string size = "320x180";
    int fps = 24;
    double duration = 2.0;
    bool quiet = false;
};

void draw(PlaneBuffer& rgb, int index, int fps) {
    constexpr float kPi = 3.14159265f;
    const int w = rgb.width(), h = rgb.height();
    const float t = static_cast<float>(index) / static_cast<float>(fps);
    const int side = std::max(8, h / 4);
    // The square bounces between the edges.
    const auto bounce = [](float p, int range) {
        const float m = std::fmod(p, 2.0f * static_cast<float>(range));
        return static_cast<int>(
            m < static_cast<float>(range) ? m : 2.0f * static_cast<float>(range) - m);
    };
    const int sx = bounce(t * static_cast<float>(w) * 0.4f, std::max(1, w - side));
    const int sy = bounce(t * static_cast<float>(h) * 0.3f, std::max(1, h - side));
    for (int y = 0; y < h; ++y) {
        float* row[3];
        for (int c = 0; c < 3; ++c)
            row[c] = reinterpret_cast<float*>(rgb.plane(c) + y * rgb.stride());
        for (int x = 0; x < w; ++x) {
            const float u = static_cast<float>(x) / static_cast<float>(w),
                        v = static_cast<float>(y) / static_cast<float>(h);
            const float hue = 2 * kPi * (u + 0.25f * t);
            float px[3] = {0.5f + 0.35f * std::sin(hue), 0.5f + 0.35f * std::sin(hue + 2.1f),
                           0.5f + 0.35f * std::sin(hue + 4.2f)};
            for (float& p : px) p = p * (0.6f + 0.4f * v);
            if ((x + y + index) % 8 == 0)
                for (float& p : px) p = 0.95f;  // one-pixel lines: detail for an upscaler to keep
            const bool in_square = x >= sx && x < sx + side && y >= sy && y < sy + side;
            const bool border =
                in_square && (x < sx + 2 || x >= sx + side - 2 || y < sy + 2 || y >= sy + side - 2);
            if (in_square) px[0] = px[1] = px[2] = border ? 1.0f : 0.1f;
            for (int c = 0; c < 3; ++c) row[c][x] = px[c];
        }
    }
}

int make_clip(const MakeClipArgs& a) {
    const Size size = parse_size(a.size, "--size", false);
    const int frames = std::max(1, static_cast<int>(std::lround(a.duration * a.fps)));
    VideoSetup setup;
    setup.width = size.width;
    setup.height = size.height;
    setup.family = Family::Rgb;
    setup.source_format = AV_PIX_FMT_YUV420P;  // written as typical 8-bit 4:2:0 video
    setup.source_colour.matrix = default_matrix(size.width, size.height);
    setup.source_colour.range = AVCOL_RANGE_MPEG;
    setup.source_colour.chroma_location = AVCHROMA_LOC_LEFT;
    setup.time_base = AVRational{1, a.fps};
    setup.frame_rate = AVRational{a.fps, 1};
    setup.sample_aspect_ratio = AVRational{1, 1};
    OutputOptions out;
    out.path = a.output;
    Encoder encoder(out, setup, nullptr);
    FloatFormat ff{Family::Rgb, SampleType::Float32, size.width, size.height};
    FromFloat convert(ff, encoder.pixel_format(), encoder.colour(), Dither::ErrorDiffusion);
    PlaneBuffer rgb(size.width, size.height, 3, SampleType::Float32);
    for (int i = 0; i < frames; ++i) {
        draw(rgb, i, a.fps);
        av::FramePtr f = convert.convert(rgb);
        f->pts = i;
        encoder.write_frame(std::move(f));
    }
    encoder.finish();
    if (!a.quiet)
        std::fprintf(stderr, "mlrt: wrote a %d-frame %dx%d test clip to '%s' (%s)\n", frames,
                     size.width, size.height, a.output.c_str(), encoder.describe().c_str());
    return 0;
}

}  // namespace

Command add_make_clip_command(CLI::App& app) {
    auto a = std::make_shared<MakeClipArgs>();
    CLI::App* cmd = app.add_subcommand(
        "make-clip", "Write a synthetic test clip (for demos and trying things out)");
    cmd->add_option("output", a->output, "Video file (.mkv, .mp4, .y4m) or image pattern")
        ->required();
    cmd->add_option("--size", a->size, "Frame size, WxH")->capture_default_str();
    cmd->add_option("--fps", a->fps, "Frames per second")
        ->check(CLI::Range(1, 240))
        ->capture_default_str();
    cmd->add_option("--duration", a->duration, "Seconds")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", a->quiet, "Print nothing");
    return {cmd, [a] { return make_clip(*a); }};
}

}  // namespace mlrt::cli
