// Replays what the media fuzzer found, and the small real clips and images kept beside them
// (fuzz/regressions/media/; see support/fuzz_replay.hpp for what each input must do).
#include <gtest/gtest.h>

#include "fuzz/media_target.hpp"
#include "support/fuzz_replay.hpp"

TEST(FuzzRegressions, Media) {
    mlrt::test::replay_fuzz_inputs(MLRT_SOURCE_DIR, "media", mlrt::fuzz::media_outcome);
}
