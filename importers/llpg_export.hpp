#pragma once

// `wardmap export llpg`: the store's gazetteer (streets, properties, addresses) written back out
// as a DTF 7.3 file through DtfWriter.

#include "geo/store/database.hpp"
#include "importers/dtf_writer.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace wardmap::importers {

/// Plain value. Empty/unset members take the defaults described on each.
struct LlpgExportOptions {
    /// Unset: wardmap_meta 'custodian_code' when present, else 2320 (Chorley).
    std::optional<int> custodian_code;
    /// Empty: wardmap_meta 'custodian_name', else the council_area's name, else "wardmap".
    std::string custodian_name;
    /// YYYY-MM-DD (required): the file's process and entry date, and the start, entry and
    /// last-update date of every record, since the store keeps no history of its own.
    std::string date;
    /// HH:MM:SS in the header and trailer.
    std::string time_stamp = "00:00:00";
    DtfWriterOptions writer;
};

struct LlpgExportSummary {
    int custodian_code = 0;
    std::string custodian_name;
    std::int64_t streets = 0;
    std::int64_t descriptors = 0;
    std::int64_t blpus = 0;
    std::int64_t lpis = 0;
    std::int64_t records = 0; ///< the trailer's count: header and trailer included
    std::uint64_t bytes = 0;
    double seconds = 0;
};

/// Writes every street (11 and 15), property (21) and address (24) of the store to `out`, in
/// USRN, UPRN, then (UPRN, address id) order, from one read snapshot. A street's start and end
/// are the first and last point of its geometry; an LPI's postcode and post town are its
/// address's; a BLPU's class is properties.classification. The SAO/PAO come from the structured
/// sao_*/pao_* columns, or are parsed from saon/paon where those are NULL. `out` appears only
/// when complete. Throws store::StoreError when the database is not a wardmap database at schema
/// 4 or later (or a query fails), DtfError when the file cannot be written or a key is invalid,
/// std::invalid_argument for a bad option.
LlpgExportSummary export_llpg(store::Database& db,
                              const std::filesystem::path& out,
                              const LlpgExportOptions& options);

} // namespace wardmap::importers
