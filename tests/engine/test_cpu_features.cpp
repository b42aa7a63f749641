// The CPU features int8's speed depends on, read with CPUID, against what the kernel reports in
// /proc/cpuinfo; and the warning a CPU without a dot-product instruction gets.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "mlrt/cpu.hpp"

namespace {

std::set<std::string> cpuinfo_flags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0) {
            std::istringstream words(line.substr(line.find(':') + 1));
            std::set<std::string> flags;
            for (std::string w; words >> w;) flags.insert(w);
            return flags;
        }
    return {};
}

TEST(CpuFeatures, AgreeWithTheKernelsFlags) {
    const auto flags = cpuinfo_flags();
    if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags here";
    const mlrt::CpuFeatures& f = mlrt::cpu_features();
    EXPECT_EQ(f.avx2, flags.count("avx2") == 1);
    EXPECT_EQ(f.avx512, flags.count("avx512f") == 1);
    EXPECT_EQ(f.avx512_vnni, flags.count("avx512_vnni") == 1);
    EXPECT_EQ(f.avx_vnni, flags.count("avx_vnni") == 1);
    EXPECT_EQ(f.amx_int8, flags.count("amx_int8") == 1);
    EXPECT_FALSE(f.name.empty());
}

TEST(CpuFeatures, Int8WarningNamesTheMissingInstructions) {
    mlrt::CpuFeatures zen2;
    zen2.name = "AMD Ryzen 7 3700X 8-Core Processor";
    zen2.avx2 = true;
    EXPECT_EQ(zen2.int8_warning(),
              "this CPU (AMD Ryzen 7 3700X 8-Core Processor) has no AVX-512 VNNI, AVX-VNNI or "
              "AMX: int8 runs no faster than float32 here (0.9x measured on a Zen 2); drop int8 "
              "unless you need its smaller memory");
    EXPECT_EQ(zen2.describe(), "AVX2");
    mlrt::CpuFeatures alder = zen2;
    alder.avx_vnni = true;
    EXPECT_EQ(alder.int8_warning(), "");
    EXPECT_EQ(alder.describe(), "AVX2, AVX-VNNI");
    EXPECT_EQ(mlrt::CpuFeatures{}.describe(), "none of AVX2, AVX-512, VNNI, AMX");
}

}  // namespace
