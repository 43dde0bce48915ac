#pragma once

#include "importers/import_error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wardmap::importers {

/// One row an import refused, and why.
struct Rejection {
    SourcePlace place;
    std::string reason;
};

/// What an import did. Plain value; printed at the end and written by --report-json.
struct ImportReport {
    /// How many rejections are kept in full; the rest are only counted.
    static constexpr std::size_t max_listed = 20;

    std::string kind;
    std::string source;
    std::string sha256;
    std::string started_at; ///< UTC ISO 8601
    std::string finished_at;
    std::string detail; ///< e.g. "boundary set 2020"
    bool ok = false;
    std::string status; ///< "ok", "partial" (--skip-bad dropped rows) or "failed"
    std::string error;  ///< why it failed (empty when ok)
    std::int64_t read = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t deleted = 0;
    std::int64_t rejected = 0;
    std::int64_t repaired = 0;
    /// Kinds that match rows against what the store holds (assets): rows the store already
    /// had as the file has them, and rows retired because a full file no longer has them.
    bool counts_changes = false;
    std::int64_t unchanged = 0;
    std::int64_t retired = 0;
    std::vector<Rejection> rejections; ///< the first max_listed
    std::vector<std::string> notes;    ///< e.g. repaired geometries, superseded sets

    void reject(SourcePlace place, std::string reason);
    /// Human-readable summary for the terminal.
    [[nodiscard]] std::string to_text() const;
    [[nodiscard]] std::string to_json() const;
};

/// Now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

} // namespace wardmap::importers
