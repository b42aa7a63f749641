#pragma once
// Marks the library's public API. libmlrt is built with hidden symbols by default, so only what
// carries MLRT_API (and the inline code in these headers) is part of its ABI.
#if defined(_WIN32)
#if defined(MLRT_BUILDING_LIBRARY)
#define MLRT_API __declspec(dllexport)
#else
#define MLRT_API __declspec(dllimport)
#endif
#else
#define MLRT_API __attribute__((visibility("default")))
#endif
