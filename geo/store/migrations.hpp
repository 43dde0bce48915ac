#pragma once

#include "geo/store/database.hpp"

#include <filesystem>
#include <vector>

namespace wardmap::store {

/// One ordered schema step from data/schema/NNNN_name.sql (embedded at build time).
struct Migration {
    int version;
    const char* name;
    const char* sql;
};

/// All migrations in version order.
const std::vector<Migration>& migrations();
int latest_schema_version();

/// PRAGMA application_id of every wardmap database ('WARM').
inline constexpr int application_id = 1464009805;

struct MigrationResult {
    int from_version = 0;
    int to_version = 0;
    bool created = false;
};

/// Brings the database at `path` to the latest schema.
/// A missing file is built beside the target and renamed into place only when complete, and
/// each step on an existing file runs in one transaction, so a failure never leaves a
/// half-migrated file. Throws StoreError for a file that is not a wardmap database or whose
/// schema is newer than this build.
MigrationResult migrate(const std::filesystem::path& path);

/// PRAGMA user_version of an open database.
int schema_version(Database& db);

} // namespace wardmap::store
