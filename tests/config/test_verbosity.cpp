// Verbosity.from_logging for every level, by number and by name, and the process log level.
#include <gtest/gtest.h>

#include "mlrt/config/logging.hpp"
#include "mlrt/config/verbosity.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;

namespace {

TEST(Verbosity, EnumValuesMatchTheReference) {
    EXPECT_EQ(static_cast<int>(Verbosity::VERBOSE), 0);
    EXPECT_EQ(static_cast<int>(Verbosity::INFO), 1);
    EXPECT_EQ(static_cast<int>(Verbosity::WARNING), 2);
    EXPECT_EQ(static_cast<int>(Verbosity::ERROR), 3);
    EXPECT_EQ(static_cast<int>(Verbosity::FATAL), 4);
}

TEST(Verbosity, FromLoggingLevelNumbers) {
    const struct {
        int level;
        Verbosity expected;
    } table[] = {
        {10, Verbosity::VERBOSE}, {20, Verbosity::INFO},    {30, Verbosity::WARNING},
        {40, Verbosity::ERROR},   {50, Verbosity::FATAL},   {0, Verbosity::WARNING},
        {15, Verbosity::WARNING}, {-1, Verbosity::WARNING}, {60, Verbosity::WARNING},
    };
    for (const auto& row : table)
        EXPECT_EQ(verbosity_from_logging(row.level), row.expected) << row.level;
}

TEST(Verbosity, FromLoggingLevelNames) {
    const struct {
        const char* name;
        Verbosity expected;
    } table[] = {
        {"DEBUG", Verbosity::VERBOSE},   {"info", Verbosity::INFO},
        {"WARNING", Verbosity::WARNING}, {"WARN", Verbosity::WARNING},
        {"Error", Verbosity::ERROR},     {"CRITICAL", Verbosity::FATAL},
        {"FATAL", Verbosity::FATAL},     {"10", Verbosity::VERBOSE},
        {"50", Verbosity::FATAL},        {"", Verbosity::WARNING},
        {"LOUD", Verbosity::WARNING},    {"NOTSET", Verbosity::WARNING},
    };
    for (const auto& row : table)
        EXPECT_EQ(verbosity_from_logging(std::string_view(row.name)), row.expected) << row.name;
}

TEST(Verbosity, Names) {
    EXPECT_STREQ(to_string(Verbosity::VERBOSE), "VERBOSE");
    EXPECT_STREQ(to_string(Verbosity::INFO), "INFO");
    EXPECT_STREQ(to_string(Verbosity::WARNING), "WARNING");
    EXPECT_STREQ(to_string(Verbosity::ERROR), "ERROR");
    EXPECT_STREQ(to_string(Verbosity::FATAL), "FATAL");
}

TEST(LogLevel, DefaultsToWarningAndIsSettable) {
    EXPECT_EQ(config::get_log_level(), LogLevel::WARNING);
    {
        const test::ScopedLogLevel level(LogLevel::ERROR);
        EXPECT_EQ(config::get_log_level(), LogLevel::ERROR);
    }
    EXPECT_EQ(config::get_log_level(), LogLevel::WARNING);
}

}  // namespace
