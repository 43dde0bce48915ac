#include "server/services/streetscene/asset_sql.hpp"

#include "core/dates.hpp"

#include "server/services/wards/ward_service.hpp"

#include <stdexcept>

namespace wardmap::services {

void define_ward_function(store::Database& db, WardIndexSource source) {
    db.create_function(
        "ward_code_at", 3,
        [source = std::move(source)](sqlite3_context* ctx, int, sqlite3_value** argv) {
            if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
                sqlite3_value_type(argv[1]) == SQLITE_NULL ||
                sqlite3_value_type(argv[2]) == SQLITE_NULL) {
                sqlite3_result_null(ctx);
                return;
            }
            const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[2]));
            const auto date = core::parse_iso_date(text ? std::string_view(text) : "");
            if (!date) {
                throw std::invalid_argument("ward_code_at: the date must be YYYY-MM-DD");
            }
            const auto index = source();
            const WardRecord* ward =
                index ? index->find({sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])},
                                    *date)
                      : nullptr;
            if (ward == nullptr) {
                sqlite3_result_null(ctx);
                return;
            }
            sqlite3_result_text(ctx, ward->code.c_str(), static_cast<int>(ward->code.size()),
                                SQLITE_TRANSIENT);
        });
}

void define_ward_function(store::ConnectionPool& pool, const WardService& wards) {
    pool.for_each_connection([&wards](store::Database& db) {
        define_ward_function(db, [&wards] { return wards.index(); });
    });
}

void define_ward_function(store::ConnectionPool& pool, std::shared_ptr<const WardIndex> index) {
    pool.for_each_connection(
        [&index](store::Database& db) { define_ward_function(db, [index] { return index; }); });
}

std::string ward_code_sql(const std::string& alias, const std::string& date_sql) {
    return "ward_code_at(" + alias + ".anchor_e, " + alias + ".anchor_n, " + date_sql + ")";
}

} // namespace wardmap::services
