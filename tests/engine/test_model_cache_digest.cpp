// The model cache's keys and checksums are XXH64 (Debian's libxxhash since the hand-written one
// was replaced): the digests below were taken from the hand-written version, so entries a
// previous mlrt wrote keep their names and checksums and are still found.
#include <gtest/gtest.h>

#include <string>

#include "engine/model_cache.hpp"

namespace {

TEST(ModelCacheDigest, KeepsThePreviousImplementationsValues) {
    std::string big;
    for (int i = 0; i < 1000; ++i) big.push_back(static_cast<char>(i * 7));
    // XXH64 with seeds 0 and 0x9e3779b97f4a7c15, as 32 hex digits.
    EXPECT_EQ(mlrt::detail::content_digest(""), "ef46db3751d8e999c4349fc93c010000");
    EXPECT_EQ(mlrt::detail::content_digest("abc"), "44bc2cf5ad7709992ed0f59d6b43ac8b");
    EXPECT_EQ(mlrt::detail::content_digest("mlrt model cache 0123456789abcdef"),
              "0aa813db3b6f79fc0441c31ea7e7f5e7");
    EXPECT_EQ(mlrt::detail::content_digest(big), "25275608a9cfc16877ecbbeb00a44532");
}

}  // namespace
