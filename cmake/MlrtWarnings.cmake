add_library(mlrt_warnings INTERFACE)
target_compile_options(mlrt_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
