# Finds ONNX Runtime: the copy scripts/setup.sh put in .deps/onnxruntime, or a system install
# (which setup.sh prefers and records in .deps/ort-system). Defines onnxruntime::onnxruntime.
set(_ort_hint "${CMAKE_SOURCE_DIR}/.deps/onnxruntime")
if(EXISTS "${CMAKE_SOURCE_DIR}/.deps/ort-system")
  set(_ort_hint "")
endif()
if(ONNXRUNTIME_ROOT)
  set(_ort_hint "${ONNXRUNTIME_ROOT}")
endif()

find_path(OnnxRuntime_INCLUDE_DIR onnxruntime_cxx_api.h
  HINTS ${_ort_hint}/include
  PATH_SUFFIXES onnxruntime)
find_library(OnnxRuntime_LIBRARY NAMES onnxruntime libonnxruntime.so.1
  HINTS ${_ort_hint}/lib)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OnnxRuntime
  REQUIRED_VARS OnnxRuntime_LIBRARY OnnxRuntime_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "run scripts/setup.sh first, or set ONNXRUNTIME_ROOT")

if(OnnxRuntime_FOUND AND NOT TARGET onnxruntime::onnxruntime)
  add_library(onnxruntime::onnxruntime SHARED IMPORTED)
  set_target_properties(onnxruntime::onnxruntime PROPERTIES
    IMPORTED_LOCATION "${OnnxRuntime_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OnnxRuntime_INCLUDE_DIR}")
  get_filename_component(OnnxRuntime_LIBRARY_DIR "${OnnxRuntime_LIBRARY}" DIRECTORY)
endif()

# A private copy (the one scripts/setup.sh fetched, or ONNXRUNTIME_ROOT) is installed beside
# libmlrt (MlrtPackage.cmake), so that an installed prefix needs nothing of the source tree:
# installed binaries then look for it only there. A system ONNX Runtime stays where it is, and
# MLRT_ORT_RPATH_SUFFIX adds its folder to their RUNPATH.
if(OnnxRuntime_FOUND)
  if(ONNXRUNTIME_ROOT OR OnnxRuntime_LIBRARY MATCHES "^${CMAKE_SOURCE_DIR}/")
    set(OnnxRuntime_BUNDLED TRUE)
    set(MLRT_ORT_RPATH_SUFFIX "")
  else()
    set(OnnxRuntime_BUNDLED FALSE)
    set(MLRT_ORT_RPATH_SUFFIX ";${OnnxRuntime_LIBRARY_DIR}")
  endif()
endif()
