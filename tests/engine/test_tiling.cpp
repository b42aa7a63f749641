#include <gtest/gtest.h>

#include "mlrt/error.hpp"
#include "mlrt/tiling.hpp"

using mlrt::layout_axis;
using mlrt::TileMode;

TEST(Tiling, WholeFrameWhenNoTileSize) {
    auto a =
        layout_axis({.frame = 270, .overlap = 16, .mode = TileMode::Literal, .name = "height"});
    EXPECT_EQ(a.tile, 270);
    EXPECT_EQ(a.starts, std::vector<int>{0});
}

TEST(Tiling, LiteralStepsAndFlushLastTile) {
    auto a =
        layout_axis({.frame = 480, .requested = 256, .overlap = 16, .mode = TileMode::Literal});
    EXPECT_EQ(a.tile, 256);
    EXPECT_EQ(a.starts, (std::vector<int>{0, 224}));
    auto b =
        layout_axis({.frame = 1000, .requested = 256, .overlap = 16, .mode = TileMode::Literal});
    EXPECT_EQ(b.starts, (std::vector<int>{0, 224, 448, 672, 744}));
}

TEST(Tiling, LiteralTileLargerThanFrameClampsForDynamicModels) {
    auto a = layout_axis({.frame = 270,
                          .requested = 256,
                          .overlap = 16,
                          .mode = TileMode::Literal,
                          .name = "height"});
    EXPECT_EQ(a.starts, (std::vector<int>{0, 14}));
    auto b = layout_axis({.frame = 100,
                          .requested = 256,
                          .overlap = 16,
                          .mode = TileMode::Literal,
                          .name = "height"});
    EXPECT_EQ(b.tile, 100);
    auto c = layout_axis({.frame = 101,
                          .requested = 256,
                          .overlap = 0,
                          .multiple = 4,
                          .mode = TileMode::Literal,
                          .name = "height"});
    EXPECT_EQ(c.tile, 104);  // rounded up to the model's multiple: padded by mirroring
}

TEST(Tiling, BalancedUsesFewestTilesAndSmallestSize) {
    // 270 rows, max 256, overlap 16: two tiles are needed; 151 rows each suffice.
    auto a = layout_axis({.frame = 270,
                          .requested = 256,
                          .overlap = 16,
                          .mode = TileMode::Balanced,
                          .name = "height"});
    EXPECT_EQ(a.starts.size(), 2u);
    EXPECT_EQ(a.tile, 151);
    EXPECT_EQ(a.starts, (std::vector<int>{0, 119}));
    auto b = layout_axis(
        {.frame = 480, .requested = 256, .overlap = 16, .multiple = 8, .mode = TileMode::Balanced});
    EXPECT_EQ(b.starts.size(), 2u);
    EXPECT_EQ(b.tile % 8, 0);
    EXPECT_GE(2 * b.tile - 32, 480);
}

TEST(Tiling, BalancedCoversEveryFrameSize) {
    for (int frame = 1; frame < 700; frame += 7)
        for (int tile : {16, 40, 64, 256})
            for (int ov : {0, 2, 7})
                for (int mult : {1, 2, 4}) {
                    if ((tile - 2 * ov) / mult * mult <= 0) continue;
                    auto a = layout_axis({.frame = frame,
                                          .requested = tile,
                                          .overlap = ov,
                                          .multiple = mult,
                                          .mode = TileMode::Balanced});
                    auto l = layout_axis({.frame = frame,
                                          .requested = tile,
                                          .overlap = ov,
                                          .multiple = mult,
                                          .mode = TileMode::Literal});
                    ASSERT_LE(a.starts.size(), l.starts.size());
                    // Balanced only ever shrinks the literal tile, and stays on the size grid.
                    ASSERT_LE(a.tile, l.tile) << frame << " " << tile << " " << ov << " " << mult;
                    ASSERT_EQ(a.tile % mult, 0) << frame << " " << tile << " " << ov << " " << mult;
                    // Every sample is covered at least overlap away from an interior tile edge.
                    int covered = 0;
                    for (std::size_t i = 0; i < a.starts.size(); ++i) {
                        int begin = i == 0 ? 0 : a.starts[i] + ov;
                        ASSERT_LE(begin, covered) << frame << " " << tile << " " << ov;
                        int end = i + 1 == a.starts.size() ? frame : a.starts[i] + a.tile - ov;
                        covered = std::max(covered, end);
                    }
                    ASSERT_GE(covered, frame);
                }
}

TEST(Tiling, FixedSizeModelKeepsItsSize) {
    auto a = layout_axis({.frame = 100, .overlap = 4, .fixed = 64, .mode = TileMode::Balanced});
    EXPECT_EQ(a.tile, 64);
    EXPECT_EQ(a.starts, (std::vector<int>{0, 36}));
    auto b = layout_axis({.frame = 50, .overlap = 4, .fixed = 64, .mode = TileMode::Balanced});
    EXPECT_EQ(b.starts, (std::vector<int>{0}));  // padded
}

TEST(Tiling, Errors) {
    try {
        layout_axis({.frame = 100, .requested = 32, .overlap = 16, .mode = TileMode::Literal});
        FAIL();
    } catch (const mlrt::Error& e) {
        EXPECT_NE(std::string(e.what()).find("overlap width (16) leaves no step"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(
        layout_axis({.frame = 100, .requested = 32, .overlap = -1, .mode = TileMode::Literal}),
        mlrt::Error);
    try {
        layout_axis({.frame = 100,
                     .requested = 48,
                     .overlap = 0,
                     .fixed = 64,
                     .mode = TileMode::Literal,
                     .name = "height"});
        FAIL();
    } catch (const mlrt::Error& e) {
        EXPECT_NE(std::string(e.what()).find("fixed at 64"), std::string::npos) << e.what();
    }
}
