# cmake -DOUTPUT=<cpp> -DINPUTS=<a.sql|b.sql> -P embed_sql.cmake
# Writes the migrations into a .cpp so the binary carries its schema (no data dir to find).
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  math(EXPR version "${version}")
  file(READ "${input}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"wardmap_sql(${sql})wardmap_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from data/schema by cmake/embed_sql.cmake; do not edit.
#include \"geo/store/migrations.hpp\"

namespace wardmap::store {
const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
${body}    };
    return all;
}
} // namespace wardmap::store
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
