#pragma once
// Writes the processed frames: encodes them, muxes them with the streams copied from the
// input, and either finishes the file properly or removes what it wrote.
#include <cstdint>
#include <string>
#include <vector>

#include "media/decoder.hpp"
#include "media/output_plan.hpp"

namespace mlrt::cli {

class Encoder {
  public:
    // `copy_from` (may be null) is the input whose audio and subtitle streams are copied.
    Encoder(const OutputOptions& options, const VideoSetup& setup, const Decoder* copy_from);
    ~Encoder();
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    OutputKind kind() const noexcept { return kind_; }
    AVPixelFormat pixel_format() const noexcept { return pix_fmt_; }
    const ColourSpec& colour() const noexcept { return colour_; }
    std::string describe() const;  // e.g. "ffv1 yuv420p10le in matroska"

    // For each input stream, whether it is copied (packets to write_packet()).
    const std::vector<bool>& copied_streams() const noexcept { return copied_; }

    // `frame` is in pixel_format(), its pts in the setup's time base.
    void write_frame(av::FramePtr frame);
    // A packet of copied input stream `in_index`, shifted back by `offset` (AV_TIME_BASE units).
    void write_packet(av::PacketPtr packet, std::int64_t offset);
    // Flushes the encoder and finishes the container; the output is then complete.
    void finish();
    // Removes what was written; used when processing failed.
    void discard() noexcept;

    std::int64_t frames_written() const noexcept { return frames_sent_; }

  private:
    // Sets up the muxer and encoder and writes the header; the muxer's error code when that fails.
    int open(const Decoder* copy_from);
    void open_encoder(const AVCodec& encoder);
    int try_open_encoder(const AVCodec& encoder, AVRational time_base);
    void add_copied_streams(const Decoder& input);
    void open_io();
    void drain(bool flushing);
    void mux(AVPacket* packet);

    OutputOptions options_;
    VideoSetup setup_;
    OutputKind kind_;
    // Where the file is written until finish() renames it to the output's name: a failing run
    // then leaves a file it was allowed to replace (-y) as it was. Empty: written in place.
    std::string write_path_;
    av::OutputFormatPtr format_;
    av::CodecContextPtr codec_;
    AVStream* stream_ = nullptr;
    AVPixelFormat pix_fmt_ = AV_PIX_FMT_NONE;
    ColourSpec colour_;
    std::vector<bool> copied_;
    std::vector<int> out_index_;  // input stream -> output stream
    std::vector<AVRational> in_time_base_;
    std::int64_t frames_sent_ = 0;
    std::int64_t packets_muxed_ = 0;
    std::int64_t last_pts_ = AV_NOPTS_VALUE;
    bool finished_ = false;
};

}  // namespace mlrt::cli
