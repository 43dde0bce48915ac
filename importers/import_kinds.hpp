#pragma once

// The kinds' bodies, registered in import.cpp's table (one line per kind).

#include "importers/import.hpp"

namespace wardmap::importers {

void import_wards(ImportContext& ctx);
std::string check_ward_options(const ImportOptions& options);

void import_postcodes(ImportContext& ctx);
std::string check_postcode_options(const ImportOptions& options);

void import_streets(ImportContext& ctx);
std::string check_street_options(const ImportOptions& options);

} // namespace wardmap::importers
