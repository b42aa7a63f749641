#include "pipeline.hpp"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "mlrt/error.hpp"
#include "mlrt/workload.hpp"
#include "temporal_reader.hpp"
#include "util/bounded_queue.hpp"
#include "util/interrupt.hpp"
#include "util/plane_buffer.hpp"
#include "util/progress.hpp"

namespace mlrt::cli {
namespace {

struct Job {
    std::int64_t seq = 0;
    std::int64_t pts = AV_NOPTS_VALUE;
    av::FramePtr frame;
    TemporalJob temporal;  // --window / --interpolate: frames already converted by the reader
};

// Plane p of an alpha fed to the model: plane 0's copy (gray as RGB or GRAY), or zero (the
// neutral chroma of gray as YUV).
void copy_or_clear(PlaneBuffer& b, int p, bool clear) {
    const std::size_t bytes = static_cast<std::size_t>(b.stride()) * b.height();
    if (clear)
        std::memset(b.plane(p), 0, bytes);
    else
        std::memcpy(b.plane(p), b.plane(0), bytes);
}

class Pipeline {
  public:
    Pipeline(Decoder& d, const Engine& e, Encoder& enc, const ConversionPlan& plan,
             const PipelineOptions& o)
        : decoder_(d),
          engine_(e),
          encoder_(enc),
          plan_(plan),
          options_(o),
          workers_(std::max(1, e.num_streams())),
          max_in_flight_(o.max_in_flight > 0 ? o.max_in_flight : 2 * workers_ + 2),
          jobs_(static_cast<std::size_t>(max_in_flight_)) {}

    PipelineResult run(av::FramePtr first, std::vector<av::PacketPtr> early);

  private:
    void read(av::FramePtr first);
    void infer();
    void write();
    void fail(std::exception_ptr e);
    void write_packets(bool at_end);
    std::int64_t packet_time(const AVPacket& p) const;
    void run_model(std::int64_t seq, std::span<const FrameView> clips,
                   const MutableFrameView& out) const;
    bool submit(Job job);

    AVRational time_base_{0, 1};  // of the jobs' timestamps: the input's, or finer (--interpolate)
    ConstantPlanes constants_;

    Decoder& decoder_;
    const Engine& engine_;
    Encoder& encoder_;
    const ConversionPlan& plan_;
    const PipelineOptions& options_;
    const int workers_;
    const int max_in_flight_;

    BoundedQueue<Job> jobs_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::int64_t, Job> done_;   // converted output frames waiting for their turn
    std::deque<av::PacketPtr> packets_;  // copied streams, in read order
    int in_flight_ = 0;
    bool reader_done_ = false;
    std::int64_t total_ = 0;
    std::int64_t input_frames_ = 0;
    std::int64_t scene_cuts_ = 0;
    std::int64_t start_time_ = AV_NOPTS_VALUE;  // AV_TIME_BASE units, first selected frame
    std::int64_t video_end_ = AV_NOPTS_VALUE;   // end of the last written frame
    std::exception_ptr error_;
    bool abort_ = false;
    bool interrupted_ = false;
};

void Pipeline::fail(std::exception_ptr e) {
    {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::move(e);
        abort_ = true;
    }
    jobs_.close();
    changed_.notify_all();
}

void Pipeline::read(av::FramePtr first) {
    try {
        const AVRational tb = decoder_.time_base();
        const int width = first->width, height = first->height, format = first->format;
        std::int64_t index = options_.first_index, seq = 0;
        std::int64_t skipped_until =
            AV_NOPTS_VALUE;  // time of the last frame before --frames START
        auto forward = [&](av::PacketPtr p) {
            // Packets older than a skipped frame precede the range: dropping them now keeps a
            // late START from queueing the whole skipped part of the audio.
            if (seq == 0 && skipped_until != AV_NOPTS_VALUE) {
                const std::int64_t t = packet_time(*p);
                if (t != AV_NOPTS_VALUE && t < skipped_until) return;
            }
            std::lock_guard lock(mutex_);
            packets_.push_back(std::move(p));
        };
        av::FramePtr frame = std::move(first);
        std::int64_t selected = 0;
        bool stopped = false;  // interrupted or aborted: the window's last frames are not owed
        std::optional<TemporalReader> temporal;
        // Frames read around a --frames range for the windows and pairs at its edges.
        const int context_before = options_.temporal.context_before();
        const int context_after = options_.temporal.context_after();
        if (options_.temporal.active())
            temporal.emplace(options_.temporal, plan_.source, plan_.source_colour, plan_.engine_in,
                             plan_.luma_matrix, tb, decoder_.frame_rate());
        for (;; ++index, frame.reset()) {
            if (interrupted()) {
                std::lock_guard lock(mutex_);
                interrupted_ = true;
                stopped = true;
                break;
            }
            if (!frame) frame = decoder_.next(forward);
            if (!frame) break;
            if (options_.range.past_end(index - context_after)) break;
            if (frame->width != width || frame->height != height)
                throw Error(ErrorKind::InvalidArgument,
                            "input '" + decoder_.path() + "' changes size at frame " +
                                std::to_string(index) + " (" + std::to_string(width) + "x" +
                                std::to_string(height) + " to " + std::to_string(frame->width) +
                                "x" + std::to_string(frame->height) +
                                "); mlrt needs a constant frame size");
            if (frame->format != format)
                throw Error(ErrorKind::InvalidArgument,
                            "input '" + decoder_.path() + "' changes pixel format at frame " +
                                std::to_string(index) + " (" +
                                av::pix_fmt_name(static_cast<AVPixelFormat>(format)) + " to " +
                                av::pix_fmt_name(static_cast<AVPixelFormat>(frame->format)) + ")");
            const std::int64_t pts = frame->best_effort_timestamp;
            if (!options_.range.contains(index)) {
                const bool before = index < options_.range.start;
                if (before && pts != AV_NOPTS_VALUE)
                    skipped_until = av_rescale_q(pts, tb, av::kMicroseconds);
                const bool context =
                    temporal && (before ? index >= options_.range.start - context_before
                                        : options_.range.past_end(index));
                if (context) {
                    bool ok = true;
                    for (auto& t : temporal->push(*frame, pts, false))
                        if (!(ok = submit(Job{seq++, t.pts, nullptr, std::move(t)}))) break;
                    if (!ok) {
                        stopped = true;
                        break;
                    }
                }
                continue;
            }
            if (selected == 0 && pts != AV_NOPTS_VALUE) {
                std::lock_guard lock(mutex_);
                start_time_ = av_rescale_q(pts, tb, av::kMicroseconds);
            }
            if (temporal) {
                bool ok = true;
                for (auto& t : temporal->push(*frame, pts))
                    if (!(ok = submit(Job{seq++, t.pts, nullptr, std::move(t)}))) break;
                ++selected;
                if (!ok) {
                    stopped = true;
                    break;
                }
                continue;
            }
            ++selected;
            // Timestamps stay the input's, so that segments of one input join seamlessly.
            if (!submit(Job{seq++, pts, std::move(frame), {}})) break;
        }
        if (temporal && selected > 0 && !stopped)
            for (auto& t : temporal->finish())
                if (!submit(Job{seq++, t.pts, nullptr, std::move(t)})) break;
        std::lock_guard lock(mutex_);
        if (temporal) scene_cuts_ = temporal->scene_cuts();
        reader_done_ = true;
        total_ = seq;
        input_frames_ = index;
    } catch (...) {
        fail(std::current_exception());
    }
    jobs_.close();
    changed_.notify_all();
}

// Waits for room among the frames in flight, then queues the job; false once the run stops.
bool Pipeline::submit(Job job) {
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return abort_ || in_flight_ < max_in_flight_; });
        if (abort_) return false;
        ++in_flight_;
    }
    return jobs_.push(std::move(job));
}

void Pipeline::infer() {
    try {
        ToFloat to_float(plan_.source, plan_.source_colour, plan_.engine_in, plan_.luma_matrix);
        std::optional<YuvMerge> merge;
        std::optional<FromFloat> from_float;
        if (plan_.merge)
            merge.emplace(*plan_.merge, plan_.source, plan_.source_colour, plan_.luma_matrix,
                          plan_.engine_in, plan_.engine_out, plan_.target, plan_.target_colour,
                          plan_.dither);
        else
            from_float.emplace(plan_.engine_out, plan_.target, plan_.target_colour, plan_.dither,
                               plan_.luma_matrix);
        PlaneBuffer in(plan_.engine_in.width, plan_.engine_in.height, plan_.engine_in.planes(),
                       plan_.engine_in.type);
        PlaneBuffer out(plan_.engine_out.width, plan_.engine_out.height, engine_.output_planes(),
                        plan_.engine_out.type);
        // The input's alpha: read at the model's input size to go through it (as gray: the
        // alpha in each image plane, or as Y with neutral chroma), else at the output size.
        std::optional<AlphaReader> alpha_reader;
        std::optional<AlphaWriter> alpha_writer;
        PlaneBuffer alpha, alpha_out;
        const bool alpha_model = plan_.alpha == AlphaMode::Model;
        if (plan_.alpha != AlphaMode::Drop) {
            const FloatFormat& at = alpha_model ? plan_.engine_in : plan_.engine_out;
            alpha_reader.emplace(plan_.source, plan_.engine_in.width, plan_.engine_in.height,
                                 FloatFormat{Family::Gray, at.type, at.width, at.height});
            alpha = PlaneBuffer(at.width, at.height, alpha_model ? plan_.engine_in.planes() : 1,
                                at.type);
            if (alpha_model)
                alpha_out = PlaneBuffer(out.width(), out.height(), out.num_planes(), out.type());
            alpha_writer.emplace(FloatFormat{Family::Gray, plan_.engine_out.type,
                                             plan_.engine_out.width, plan_.engine_out.height},
                                 plan_.target);
        }
        // A repeated input frame (--interpolate) is written from the model's input planes.
        std::optional<FromFloat> copy_out;
        std::vector<FrameView> clips;
        std::vector<PlaneView> constant_views;
        while (auto job = jobs_.pop()) {
            TemporalJob& t = job->temporal;
            if (t.copy) {
                if (!copy_out)
                    copy_out.emplace(plan_.engine_in, plan_.target, plan_.target_colour,
                                     plan_.dither, plan_.luma_matrix);
                job->frame = copy_out->convert(*t.frames.front());
            } else {
                clips.clear();
                if (t.frames.empty()) {
                    to_float.convert(*job->frame, in);
                    if (merge) merge->take_source(*job->frame);
                    if (alpha_reader) {
                        alpha_reader->read(*job->frame, alpha);
                        for (int p = 1; p < alpha.num_planes(); ++p)
                            copy_or_clear(alpha, p, plan_.engine_in.family == Family::Yuv);
                    }
                    job->frame.reset();  // the decoder's buffer can be reused now
                    clips.push_back(in.view());
                } else {
                    for (const auto& f : t.frames) clips.push_back(f->view());
                }
                std::vector<float> values = options_.extra_planes;
                if (options_.temporal.interpolate > 0) values.push_back(t.timestep);
                if (!values.empty())
                    clips.push_back(constants_.frame(plan_.engine_in.width, plan_.engine_in.height,
                                                     plan_.engine_in.type, values, constant_views));
                run_model(job->seq, clips, out.mutable_view());
                job->frame = merge ? merge->merge(out) : from_float->convert(out);
                if (alpha_model) {
                    clips.front() = alpha.view();
                    run_model(job->seq, clips, alpha_out.mutable_view());
                    alpha_writer->write(alpha_out, *job->frame);
                } else if (alpha_writer) {
                    alpha_writer->write(alpha, *job->frame);
                }
            }
            t.frames.clear();  // release the window's frames as soon as they are used
            std::lock_guard lock(mutex_);
            if (abort_) break;
            done_.emplace(job->seq, std::move(*job));
            changed_.notify_all();
        }
    } catch (...) {
        fail(std::current_exception());
    }
}

// A failure while the model runs (a GPU out of memory, a lost device) names the frame.
void Pipeline::run_model(std::int64_t seq, std::span<const FrameView> clips,
                         const MutableFrameView& out) const {
    try {
        engine_.run(clips, out);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Runtime) throw;
        throw Error(e.kind(), "output frame " + std::to_string(seq) + ": " + e.what());
    }
}

std::int64_t Pipeline::packet_time(const AVPacket& p) const {
    const std::int64_t t = p.pts != AV_NOPTS_VALUE ? p.pts : p.dts;
    if (t == AV_NOPTS_VALUE) return AV_NOPTS_VALUE;
    return av_rescale_q(t, decoder_.format().streams[p.stream_index]->time_base, av::kMicroseconds);
}

void Pipeline::write_packets(bool at_end) {
    // Copied packets go out once the video has reached their time, so the muxer's interleaving
    // queue stays short; at the end, what lies beyond a cut-off video is dropped.
    for (;;) {
        av::PacketPtr p;
        {
            std::lock_guard lock(mutex_);
            if (packets_.empty()) return;
            const bool cut = options_.range.end.has_value() || interrupted_;
            const std::int64_t t = packet_time(*packets_.front());
            const bool due =
                t == AV_NOPTS_VALUE || (video_end_ != AV_NOPTS_VALUE && t < video_end_);
            if (!due && !at_end) return;
            p = std::move(packets_.front());
            packets_.pop_front();
            if (t != AV_NOPTS_VALUE && options_.range.starts_late() &&
                start_time_ != AV_NOPTS_VALUE && t < start_time_)
                continue;
            if (at_end && cut && !due) continue;
        }
        encoder_.write_packet(std::move(p), 0);
    }
}

void Pipeline::write() {
    Progress progress(options_.progress, [&]() -> std::optional<std::int64_t> {
        auto n = options_.frame_estimate;
        if (options_.range.end) n = n ? std::min(*n, *options_.range.end) : *options_.range.end;
        if (!n) return std::nullopt;
        // --interpolate writes N frames per input frame.
        const std::int64_t per_input = std::max(1, options_.temporal.interpolate);
        return std::max<std::int64_t>(0, *n - options_.range.start) * per_input;
    }());
    const AVRational tb = time_base_;
    const std::int64_t frame_us =
        av_rescale_q(1, av_inv_q(decoder_.frame_rate()), av::kMicroseconds);
    for (std::int64_t next = 0;; ++next) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] {
                return abort_ || done_.count(next) || (reader_done_ && next >= total_);
            });
            if (abort_ || !done_.count(next)) break;
            auto it = done_.find(next);
            job = std::move(it->second);
            done_.erase(it);
        }
        if (job.pts != AV_NOPTS_VALUE) {
            video_end_ = av_rescale_q(job.pts, tb, av::kMicroseconds) + frame_us;
            job.frame->pts = job.pts;
        } else {
            job.frame->pts = AV_NOPTS_VALUE;
        }
        encoder_.write_frame(std::move(job.frame));
        write_packets(false);
        {
            std::lock_guard lock(mutex_);
            --in_flight_;
        }
        changed_.notify_all();
        progress.update(next + 1);
    }
    progress.finish();
}

PipelineResult Pipeline::run(av::FramePtr first, std::vector<av::PacketPtr> early) {
    time_base_ = decoder_.time_base();
    if (options_.temporal.interpolate > 0)
        time_base_ = av_mul_q(time_base_, AVRational{1, options_.temporal.interpolate});
    for (auto& p : early) packets_.push_back(std::move(p));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    threads.emplace_back([this, f = std::move(first)]() mutable { read(std::move(f)); });
    for (int i = 0; i < workers_; ++i) threads.emplace_back([this] { infer(); });
    try {
        write();
    } catch (...) {
        fail(std::current_exception());
    }
    for (auto& t : threads) t.join();
    if (error_) std::rethrow_exception(error_);
    if (total_ == 0) {
        if (interrupted_)
            throw Error(ErrorKind::Io, "interrupted before the first frame was processed");
        throw Error(ErrorKind::InvalidArgument,
                    "no input frames in the range given by --frames (the input '" +
                        decoder_.path() + "' has " + std::to_string(input_frames_) + " frames)");
    }
    write_packets(true);
    encoder_.finish();
    PipelineResult r;
    r.frames = total_;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.interrupted = interrupted_;
    r.scene_cuts = scene_cuts_;
    return r;
}

}  // namespace

PipelineResult run_pipeline(Decoder& decoder, av::FramePtr first, std::vector<av::PacketPtr> early,
                            const Engine& engine, Encoder& encoder, const ConversionPlan& plan,
                            const PipelineOptions& options) {
    Pipeline p(decoder, engine, encoder, plan, options);
    return p.run(std::move(first), std::move(early));
}

}  // namespace mlrt::cli
