// Replays what the engine-side fuzzers found (fuzz/regressions/<target>/; see
// support/fuzz_replay.hpp for what each input must do).
#include <gtest/gtest.h>

#include "fuzz/targets.hpp"
#include "support/fuzz_replay.hpp"

TEST(FuzzRegressions, ModelLoad) {
    mlrt::test::replay_fuzz_inputs(MLRT_SOURCE_DIR, "model_load", mlrt::fuzz::model_load_outcome);
}
TEST(FuzzRegressions, Args) {
    mlrt::test::replay_fuzz_inputs(MLRT_SOURCE_DIR, "args", mlrt::fuzz::args_outcome);
}
TEST(FuzzRegressions, Fp16Convert) {
    mlrt::test::replay_fuzz_inputs(MLRT_SOURCE_DIR, "fp16_convert",
                                   mlrt::fuzz::fp16_convert_outcome);
}
TEST(FuzzRegressions, NcnnImport) {
    mlrt::test::replay_fuzz_inputs(MLRT_SOURCE_DIR, "ncnn_import", mlrt::fuzz::ncnn_import_outcome);
}
