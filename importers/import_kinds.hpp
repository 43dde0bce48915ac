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

void import_councillors(ImportContext& ctx); // CSV and other tables, through GDAL
std::string check_councillor_options(const ImportOptions& options);
bool is_councillors_json(const ImportOptions& options);
void import_councillors_json(FileImportContext& ctx);

void import_llpg(FileImportContext& ctx);
std::string check_llpg_options(const ImportOptions& options);
bool always_reads_file_itself(const ImportOptions& options);

void import_addresses(ImportContext& ctx);
std::string check_address_options(const ImportOptions& options);

void import_assets(ImportContext& ctx);
std::string check_asset_options(const ImportOptions& options);

// burials (burial_importer.cpp): --map NAME=FIELD and --cemetery NAME
void import_cemeteries(ImportContext& ctx);
std::string check_cemetery_options(const ImportOptions& options);
void import_sections(ImportContext& ctx);
std::string check_section_options(const ImportOptions& options);
void import_graves(ImportContext& ctx);
std::string check_grave_options(const ImportOptions& options);
void import_burial_register(ImportContext& ctx);
std::string check_register_options(const ImportOptions& options);

// empty-properties (empty_property_importer.cpp): --map NAME=FIELD
void import_empty_properties(ImportContext& ctx);
std::string check_empty_property_options(const ImportOptions& options);
// planning (planning_importer.cpp, constraint_importer.cpp): --map NAME=FIELD
void import_planning(ImportContext& ctx);
std::string check_planning_options(const ImportOptions& options);
bool is_planit_json(const ImportOptions& options);
void import_planning_json(FileImportContext& ctx);
void import_constraints(ImportContext& ctx);
std::string check_constraint_options(const ImportOptions& options);
void import_land_charges(ImportContext& ctx);
std::string check_land_charge_options(const ImportOptions& options);

} // namespace wardmap::importers
