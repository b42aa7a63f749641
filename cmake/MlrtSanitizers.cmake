# MLRT_SANITIZE=address,undefined builds everything instrumented; thread is for the stream tests.
if(MLRT_SANITIZE)
  string(REPLACE "," ";" _mlrt_sans "${MLRT_SANITIZE}")
  foreach(_san IN LISTS _mlrt_sans)
    add_compile_options(-fsanitize=${_san})
    add_link_options(-fsanitize=${_san})
  endforeach()
  add_compile_options(-fno-omit-frame-pointer -fno-sanitize-recover=undefined -g)
endif()
