#pragma once

// A synthetic gazetteer of any size for the LLPG import and search benchmarks: streets,
// properties and addresses over a 40 km square of Lancashire, written as DTF 7.3 (through
// importers::DtfWriter), as a points CSV for ogr2ogr, and as a list of type-ahead queries.
// Not real data: names, numbers, postcodes and positions are made up, in realistic forms.

#include "importers/dtf_writer.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace wardmap::bench {

/// Where every generated property lies (EPSG:27700): pass it to `wardmap import llpg --bbox`.
inline constexpr double synth_min_e = 340000, synth_min_n = 400000;
inline constexpr double synth_max_e = 380000, synth_max_n = 440000;

struct SynthOptions {
    std::int64_t addresses = 1'000'000; ///< LPIs (one BLPU each)
    /// The same seed (and options) gives the same files, byte for byte, on any machine.
    std::uint64_t seed = 2320;
    int custodian_code = 2320;
    std::string custodian_name = "SYNTHETIC BOROUGH COUNCIL";
    std::string date = "2026-11-01"; ///< every record's dates: fixed, never the clock
    std::size_t queries = 5000;      ///< type-ahead queries (when a queries file is asked for)
    importers::LineEnding line_ending = importers::LineEnding::crlf;
};

struct SynthPaths {
    std::filesystem::path dtf;     ///< required
    std::filesystem::path points;  ///< `uprn,x,y,address`, one row per BLPU; empty: not written
    std::filesystem::path queries; ///< one URL-encoded query per line; empty: not written
};

struct SynthSummary {
    std::int64_t streets = 0;
    std::int64_t addresses = 0;
    std::int64_t flats = 0;
    std::int64_t named = 0; ///< addresses whose PAO is a house name without a number
    std::int64_t postcodes = 0;
    std::int64_t queries = 0;
    std::uint64_t dtf_bytes = 0;
    std::uint64_t points_bytes = 0;
    double seconds = 0;
};

/// Generates the gazetteer into the files named in `paths`. Throws std::invalid_argument for
/// bad options (including more addresses than the synthetic postcode space holds, about
/// 1.5 million), importers::DtfError or std::runtime_error when a file cannot be written.
SynthSummary generate_llpg(const SynthOptions& options, const SynthPaths& paths);

/// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (a space becomes %20).
std::string url_encode(std::string_view text);

} // namespace wardmap::bench
