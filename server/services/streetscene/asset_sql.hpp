#pragma once

// The SQL function that places a street asset in a ward at a date, without storing the ward:
// ward_code_at(easting, northing, 'YYYY-MM-DD') -> the ONS code of the ward that held the point
// on that date (services::WardIndex: versioned boundaries, lowest code on a shared edge), or
// NULL outside every ward. Defined on each server connection, so the asset collections (and
// their filters, ?ward_code=E05...) read it like a column.

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/wards/ward_index.hpp"

#include <functional>
#include <memory>
#include <string>

namespace wardmap::services {

class WardService;

/// Where the function finds the ward index: called on every use, so a reloaded index (a
/// boundary set imported while the server runs) is used from the next row on.
using WardIndexSource = std::function<std::shared_ptr<const WardIndex>()>;

/// Defines ward_code_at on `db`. A malformed date is the statement's error.
void define_ward_function(store::Database& db, WardIndexSource source);
/// On every connection of `pool` (at start-up, before any lease), reading `wards`' index.
void define_ward_function(store::ConnectionPool& pool, const WardService& wards);
/// On every connection of `pool`, from one fixed index (the export command's).
void define_ward_function(store::ConnectionPool& pool, std::shared_ptr<const WardIndex> index);

/// The SQL that calls it for the street asset aliased `alias` on the SQL date `date_sql`.
std::string ward_code_sql(const std::string& alias, const std::string& date_sql);

} // namespace wardmap::services
