#include "geo/store/generations.hpp"

#include "geo/store/database.hpp"

namespace wardmap::store {

namespace {
std::string key(std::string_view dataset) {
    return std::string(dataset) + "_generation";
}
} // namespace

void mark_changed(Database& db, std::string_view dataset) {
    db.prepare("INSERT INTO wardmap_meta (key, value) VALUES (?1, '1') "
               "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        .bind(1, key(dataset))
        .run();
}

std::string generation(Database& db, std::string_view dataset) {
    auto st = db.prepare("SELECT value FROM wardmap_meta WHERE key = ?1");
    st.bind(1, key(dataset));
    return st.step() ? std::string(st.text(0)) : std::string("0");
}

} // namespace wardmap::store
