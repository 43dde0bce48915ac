# cmake -DROOT=<source dir> -P check_layering.cmake
# Dependencies point one way: cli -> http -> services -> geo/store, and importers -> geo/store.
# Fails listing every #include that points the wrong way.
set(rules
  "geo|server/|importers/|pistache/"
  "server/services|server/http/|server/cli/|importers/|pistache/"
  "server/http|server/cli/|importers/"
  "importers|server/|pistache/"
)
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE "|" ";" parts "${rule}")
  list(POP_FRONT parts folder)
  file(GLOB_RECURSE sources "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^#include")
    foreach(line IN LISTS includes)
      foreach(forbidden IN LISTS parts)
        string(FIND "${line}" "${forbidden}" at)
        if(NOT at EQUAL -1)
          file(RELATIVE_PATH rel "${ROOT}" "${source}")
          string(APPEND violations "  ${rel}: ${line} (${folder} may not depend on ${forbidden})\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "Layering violations:\n${violations}")
endif()
message(STATUS "layering: ok")
