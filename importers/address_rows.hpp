#pragma once

// How a row of a council's address file becomes a property and its address: which columns hold
// what (the field mapping, from options or the usual names), and each row read through it.
// `import_addresses` writes what this reads.

#include "geo/bng_transform.hpp"
#include "importers/address_text.hpp"
#include "importers/gdal_source.hpp"
#include "importers/import.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace wardmap::importers {

/// The columns of an address file (-1: absent). Either `address` (single-line text) or the parts.
struct AddressColumns {
    int uprn = -1;
    int address = -1;
    int saon = -1;
    int paon = -1;
    int street = -1;
    int locality = -1;
    int town = -1;
    int postcode = -1;
    int usrn = -1;
    int classification = -1;
    int x = -1; ///< with y: a CSV's position; else the feature's geometry
    int y = -1;
};

/// Resolves the mapping against the file's fields. Throws ImportError naming the option or the
/// missing column.
AddressColumns map_address_columns(GdalSource& source, const ImportOptions& options);

/// One row as the gazetteer will hold it.
struct AddressRow {
    std::int64_t uprn = 0;
    AddressParts parts;
    std::optional<std::int64_t> usrn;
    std::string classification;
    geo::EastNorth at;
    int position_field = -1; ///< where the position came from, for messages (-1: geometry)
};

/// The row's UPRN, read first so a repeated one is reported as such whatever else is wrong.
/// Throws ImportError (file, line, field, reason) for a row to reject.
std::int64_t
read_uprn(const GdalSource& source, const SourceRow& row, const AddressColumns& columns);
/// The rest of the row. Throws ImportError for a row to reject, geo::GeoError when its position
/// cannot be transformed.
AddressRow read_address_row(const GdalSource& source,
                            const SourceRow& row,
                            const AddressColumns& columns,
                            std::int64_t uprn,
                            SourceCrs crs,
                            const geo::BngTransform& transform);

} // namespace wardmap::importers
