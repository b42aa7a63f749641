# `cmake --install` gives libmlrt, include/mlrt and a CMake package for find_package(mlrt).
include(CMakePackageConfigHelpers)
install(TARGETS mlrt EXPORT mlrtTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/mlrt DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The private ONNX Runtime goes beside libmlrt, under its soname (FindOnnxRuntime.cmake).
if(OnnxRuntime_BUNDLED)
  get_filename_component(mlrt_ort_file "${OnnxRuntime_LIBRARY}" REALPATH)
  install(FILES "${mlrt_ort_file}" DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME libonnxruntime.so.1)
endif()
install(EXPORT mlrtTargets NAMESPACE mlrt:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mlrt)
configure_package_config_file(cmake/mlrtConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/mlrtConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mlrt)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/mlrtConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mlrtConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/mlrtConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mlrt)
