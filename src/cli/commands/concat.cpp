// `mlrt concat OUTPUT SEGMENT...`: joins the segments `mlrt run --frames` wrote, losslessly
// (stream copy), with the source's audio and subtitles muxed in once.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands/commands.hpp"
#include "media/output_plan.hpp"
#include "media/segment.hpp"
#include "media/segment_join.hpp"
#include "media/source_identity.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

namespace mlrt::cli {
namespace {

namespace fs = std::filesystem;

struct ConcatArgs {
    std::string output;
    std::vector<std::string> segments;
    std::string audio_from;
    bool overwrite = false;
    bool quiet = false;
};

[[noreturn]] void bad_arg(const std::string& m) {
    throw Error(ErrorKind::InvalidArgument, m);
}

bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    return fs::equivalent(a, b, ec);
}

bool any_audio(const std::vector<Segment>& segments) {
    for (const Segment& s : segments)
        for (unsigned i = 0; i < s.format->nb_streams; ++i)
            if (s.format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) return true;
    return false;
}

// Next to the output, so that the final rename stays on one file system; the extension is
// kept, since it is what picks the container.
fs::path temporary_name(const fs::path& output) {
    return output.parent_path() / fmt::format(".{}.partial-{}{}", output.stem().string(), getpid(),
                                              output.extension().string());
}

int concat(const ConcatArgs& a) {
    av::set_log_level(false);
    const fs::path output(a.output);
    std::error_code ec;
    for (const std::string& s : a.segments)
        if (same_file(s, a.output)) bad_arg("output '" + a.output + "' is one of the segments");
    if (!a.audio_from.empty() && same_file(a.audio_from, a.output))
        bad_arg("output '" + a.output + "' is the --audio-from input");
    refuse_existing_output(a.output, a.overwrite);
    const fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
    if (!fs::is_directory(dir, ec))
        throw Error(ErrorKind::Io, "cannot write output '" + a.output + "': directory '" +
                                       dir.string() + "' does not exist");

    std::vector<Segment> segments;
    segments.reserve(a.segments.size());
    for (const std::string& s : a.segments) segments.push_back(open_segment(s));
    check_segments_fit(segments);
    if (!a.audio_from.empty()) {
        const std::string id = source_identity(a.audio_from);
        if (!segments[0].source.empty() && id != segments[0].source)
            bad_arg("segment '" + segments[0].path + "' was not made from --audio-from '" +
                    a.audio_from + "'");
    } else if (!a.quiet && any_audio(segments)) {
        std::fprintf(stderr,
                     "mlrt: note: the segments' own audio is not joined (it is cut at frame "
                     "boundaries); pass --audio-from INPUT for the source's\n");
    }

    const fs::path temp = temporary_name(output);
    JoinOptions o;
    o.write_path = temp.string();
    o.name = a.output;
    o.audio_from = a.audio_from;
    o.progress = Progress::wanted(a.quiet);
    JoinResult r;
    set_partial_output(temp.string());  // a second interrupt removes it
    try {
        r = join_segments(segments, o);
        fs::rename(temp, output);
        set_partial_output("");
    } catch (...) {
        fs::remove(temp, ec);
        set_partial_output("");
        throw;
    }
    if (!a.quiet)
        std::fprintf(stderr, "%s\n",
                     fmt::format("mlrt: joined {} segment(s), frames {}:{}, into '{}'",
                                 segments.size(), r.first_frame, r.first_frame + r.frames, a.output)
                         .c_str());
    return 0;
}

}  // namespace

Command add_concat_command(CLI::App& app) {
    auto a = std::make_shared<ConcatArgs>();
    CLI::App* cmd = app.add_subcommand(
        "concat", "Join segments written by `mlrt run --frames` into one file, losslessly");
    cmd->add_option("output", a->output, "Joined video file (.mkv)")->required();
    cmd->add_option("segments", a->segments,
                    "Segments, each written by `mlrt run --frames A:B` (any order)")
        ->required();
    cmd->add_option("--audio-from", a->audio_from,
                    "The segments' input: its audio and subtitle streams are copied once");
    cmd->add_flag("-y,--overwrite", a->overwrite, "Replace OUTPUT if it exists");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress line and no summary");
    cmd->footer(
        "Segments must be of one input, in one format, and together hold a run of frames with "
        "no gap and no overlap. Nothing is left at OUTPUT when joining fails.");
    return {cmd, [a] { return concat(*a); }};
}

}  // namespace mlrt::cli
