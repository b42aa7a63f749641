#pragma once
// Reads one input (a video file, an image, an image sequence pattern, "-" for standard input,
// or bytes in memory), decodes its best video stream, and hands other packets on for stream
// copy.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/deinterlacer.hpp"
#include "media/ffmpeg.hpp"

namespace mlrt::cli {

// An input held in memory; `bytes` must outlive the Decoder reading it. `name` is what messages
// call it, and its extension is a hint to the demuxer as a file's would be.
struct MemoryInput {
    std::string name;
    std::span<const std::uint8_t> bytes;
};

// Bounds on the work one input may cause, for callers that read untrusted bytes (the fuzzer).
struct DecodeLimits {
    std::int64_t max_pixels = 0;  // per frame; 0: FFmpeg's own limit
    int threads = 0;              // decoder threads; 0: FFmpeg picks by core count
};

class Decoder {
  public:
    explicit Decoder(std::string path);
    explicit Decoder(const MemoryInput& input, const DecodeLimits& limits = {});
    Decoder(Decoder&&) noexcept;
    Decoder& operator=(Decoder&&) noexcept;
    ~Decoder();

    const std::string& path() const noexcept { return path_; }
    const AVFormatContext& format() const noexcept { return *format_; }
    const AVStream& video_stream() const noexcept { return *format_->streams[video_index_]; }
    int video_index() const noexcept { return video_index_; }
    AVCodecID codec_id() const noexcept { return codec_->codec_id; }
    // The frames next() returns: their timestamps' unit and their rate. They are the video
    // stream's, except at field rate (--deinterlace field), where both are twice as fine.
    AVRational time_base() const noexcept;
    AVRational frame_rate() const noexcept;
    // A still image (or a sequence of them) rather than a video container.
    bool is_image() const noexcept { return is_image_; }
    // What the container says about the frame count, when it says anything.
    std::optional<std::int64_t> frame_count_estimate() const;

    // Frames next() returns from now on go through bwdif first (Off: as decoded).
    void deinterlace(DeinterlaceMode mode);
    DeinterlaceMode deinterlace_mode() const noexcept { return deinterlace_mode_; }

    // Packets of input streams whose entry is true are handed to `forward` instead of dropped.
    void forward_streams(std::vector<bool> mask) { forward_ = std::move(mask); }

    // The next decoded video frame, or null at the end of the input (or when interrupted).
    av::FramePtr next(const std::function<void(av::PacketPtr)>& forward);
    // Moves every stream to the video keyframe at or before `pts` (in time_base()) and resets
    // the decoder; false when the input cannot seek there (the position is then unspecified).
    bool seek(std::int64_t pts);
    // Forgets decoding errors, for frames decoded only to reach a seek target and thrown away.
    void reset_errors() noexcept {
        errors_ = 0;
        last_error_.clear();
    }
    std::int64_t frames_decoded() const noexcept { return frames_decoded_; }
    // Decoding errors concealed so far, and the last one's text.
    std::int64_t errors() const noexcept { return errors_; }
    const std::string& last_error() const noexcept { return last_error_; }

  private:
    struct MemoryReader;
    struct IoContextDeleter {
        void operator()(AVIOContext* io) const noexcept;
    };

    void open(const std::string& url, const DecodeLimits& limits);
    bool feed(const std::function<void(av::PacketPtr)>& forward);
    av::FramePtr decode(const std::function<void(av::PacketPtr)>& forward);
    void decode_error(int err);

    std::string path_;
    // Declared before format_, which reads through them and so must be closed first.
    std::unique_ptr<MemoryReader> memory_;
    std::unique_ptr<AVIOContext, IoContextDeleter> io_;
    av::InputFormatPtr format_;
    av::CodecContextPtr codec_;
    int video_index_ = -1;
    AVRational frame_rate_{25, 1};
    bool is_image_ = false;
    bool flushing_ = false;
    std::vector<bool> forward_;
    DeinterlaceMode deinterlace_mode_ = DeinterlaceMode::Off;
    std::optional<Deinterlacer> deinterlacer_;
    av::PacketPtr packet_;
    std::int64_t packets_sent_ = 0;
    std::int64_t frames_decoded_ = 0;
    std::int64_t errors_ = 0;
    std::string last_error_;
};

}  // namespace mlrt::cli
