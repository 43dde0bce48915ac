# cmake -DROOT=<source dir> -P check_layering.cmake
cmake_minimum_required(VERSION 3.25)
# Dependencies point one way: cli -> app -> http -> services -> geo/store -> geo -> core, and
# importers -> geo/store. Inside services and http, each domain folder includes only the
# domains it declares below; shared/ includes no domain; nothing but MyWard's own folders and
# the composition root includes myward/ (it reads every domain, none reads it).
# Fails listing every #include that points the wrong way.

# Layers: "folder|forbidden include prefix|..."
set(layer_rules
  "core|geo/|server/|importers/|pistache/"
  "geo|geo/store/|server/|importers/|pistache/"
  "geo/store|server/|importers/|pistache/"
  "server/services|server/http/|server/app/|server/cli/|importers/|pistache/"
  "server/http|server/app/|server/cli/|importers/"
  "server/app|server/cli/|importers/"
  "importers|server/|pistache/"
)

# Domains of server/services/ and the domains each may include (besides itself and shared/).
set(domains access gazetteer wards requests features streetscene burials planning housing myward myarea
  performance)
set(domain_uses
  "access|"
  "gazetteer|wards features"
  "wards|features"
  "requests|access gazetteer wards features"
  "features|"
  "streetscene|access gazetteer wards requests features"
  "burials|access gazetteer wards features streetscene"
  "planning|access gazetteer wards features"
  "housing|access gazetteer wards"
  "myward|access gazetteer wards requests features streetscene burials planning housing"
  "myarea|access gazetteer wards requests streetscene burials planning housing"
  "performance|access wards requests"
)

set(violations "")

function(check_folder folder forbidden_prefixes)
  if(folder STREQUAL "geo")
    # geo/store is a layer of its own above geo.
    file(GLOB sources "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp")
  else()
    file(GLOB_RECURSE sources "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp")
  endif()
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^#include")
    foreach(line IN LISTS includes)
      foreach(forbidden IN LISTS forbidden_prefixes)
        if(forbidden STREQUAL "")
          continue() # myward may use every domain: its lists are empty
        endif()
        string(FIND "${line}" "\"${forbidden}" at)
        if(at EQUAL -1)
          string(FIND "${line}" "<${forbidden}" at)
        endif()
        if(NOT at EQUAL -1)
          file(RELATIVE_PATH rel "${ROOT}" "${source}")
          string(APPEND violations "  ${rel}: ${line} (${folder} may not depend on ${forbidden})\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

foreach(rule IN LISTS layer_rules)
  string(REPLACE "|" ";" parts "${rule}")
  list(POP_FRONT parts folder)
  check_folder("${folder}" "${parts}")
endforeach()

# shared/ pieces include no domain, in services and in http.
foreach(domain IN LISTS domains)
  list(APPEND all_service_domains "server/services/${domain}/")
  list(APPEND all_http_domains "server/http/${domain}/")
endforeach()
check_folder("server/services/shared" "${all_service_domains}")

# Each domain includes only what it declares, in services and in its http routes.
foreach(entry IN LISTS domain_uses)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 domain)
  list(LENGTH parts n)
  set(allowed "")
  if(n GREATER 1)
    list(GET parts 1 allowed_text)
    string(REPLACE " " ";" allowed "${allowed_text}")
  endif()
  set(forbidden_services "")
  set(forbidden_http "")
  foreach(other IN LISTS domains)
    if(NOT other STREQUAL domain AND NOT other IN_LIST allowed)
      list(APPEND forbidden_services "server/services/${other}/")
      list(APPEND forbidden_http "server/http/${other}/")
    endif()
  endforeach()
  check_folder("server/services/${domain}" "${forbidden_services}")
  check_folder("server/http/${domain}" "${forbidden_services};${forbidden_http}")
endforeach()

# The http layer's own plumbing (files directly in server/http/) includes no domain routes.
file(GLOB plumbing "${ROOT}/server/http/*.cpp" "${ROOT}/server/http/*.hpp")
foreach(source IN LISTS plumbing)
  file(STRINGS "${source}" includes REGEX "^#include \"server/http/[a-z_]+/")
  foreach(line IN LISTS includes)
    file(RELATIVE_PATH rel "${ROOT}" "${source}")
    string(APPEND violations "  ${rel}: ${line} (http plumbing may not depend on a domain's routes)\n")
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "Layering violations:\n${violations}")
endif()
message(STATUS "layering: ok")
