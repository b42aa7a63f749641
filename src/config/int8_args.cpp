#include <filesystem>
#include <set>

#include "config/arg_reader.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/error.hpp"

namespace mlrt::config {

CalibrationArgs calibration_args_from_args(const ArgMap& args, const ArgSpelling& spelling) {
    const detail::ArgReader r(args, spelling.context, &spelling);
    CalibrationArgs c;
    if (auto file = r.string("calibration")) {
        if (file->empty()) r.fail("calibration", "must not be empty");
        c.file = *file;
    }
    if (auto n = r.integer("calibrate", 1, 10000)) c.frames = *n;
    return c;
}

std::vector<int> calibration_frames(int total, int count) {
    std::set<int> picked;
    if (total <= 0 || count <= 0) return {};
    for (int i = 0; i < count; ++i)
        picked.insert(static_cast<int>((2LL * i + 1) * total / (2LL * count)));
    return {picked.begin(), picked.end()};
}

std::shared_ptr<const Int8Calibration> calibration_for(
    const ModelSource& model, const InputFormat& input, const EngineOptions& options,
    const CalibrationArgs& args, int total_frames, const CalibrationFeed& feed) {
    if (!options.int8) return nullptr;
    if (options.int8_calibration) return options.int8_calibration;
    std::error_code ec;
    if (!args.file.empty() && std::filesystem::exists(args.file, ec))
        return std::make_shared<const Int8Calibration>(Int8Calibration::load(args.file));
    const std::vector<int> frames = calibration_frames(total_frames, args.frames);
    if (frames.empty())
        throw Error(ErrorKind::InvalidArgument,
                    "int8 calibration needs at least one frame, and the input has none");
    Calibrator calibrator(model, input, options);
    for (int n : frames) feed(n, calibrator);
    auto calibration = std::make_shared<const Int8Calibration>(calibrator.finish());
    if (!args.file.empty()) calibration->save(args.file);
    return calibration;
}

}  // namespace mlrt::config
