#pragma once

// Writes LLPG streets, properties (BLPUs) and addresses (LPIs) into the store and keeps the
// address search index in step. Used by the `llpg` and `addresses` importers; SpatiaLite's
// per-row triggers are deferred while it works and finish() brings the spatial indexes up to
// date (row by row for a delta, rebuilt for a bulk load).

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/store/database.hpp"
#include "geo/store/deferred_spatial_index.hpp"
#include "geo/store/packed_rtree.hpp"
#include "importers/address_text.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace wardmap::importers {

struct StreetData {
    std::int64_t usrn = 0;
    int record_type = 1;
    int state = 2;
    geo::EastNorth start;
    geo::EastNorth end;
};

struct DescriptorData {
    std::int64_t usrn = 0;
    std::string descriptor;
    std::string locality;
    std::string town;
    std::string admin_area;
    std::string language = "ENG";
};

struct PropertyData {
    std::int64_t uprn = 0;
    int logical_status = 1;
    std::optional<int> blpu_state;
    std::string classification; ///< empty: keep the stored one ('U' for a new property)
    std::optional<std::int64_t> parent_uprn;
    geo::EastNorth at;
};

struct AddressData {
    std::int64_t uprn = 0;
    std::string lpi_key;
    std::string language = "ENG";
    int logical_status = 1;
    AddressableObject sao;
    AddressableObject pao;
    std::optional<std::int64_t> usrn;
    std::string postcode;  ///< normalised, or empty
    std::string post_town; ///< empty: the street's town
    /// The street's name and locality when the address has no known street (no USRN, or one
    /// the store lacks): point files of properties give them as text. A known USRN's wins.
    std::string street;
    std::string locality;
};

/// What a put/remove did to the store.
enum class Change { inserted, updated, deleted, none };

class GazetteerWriter {
  public:
    /// `bulk`: most of the gazetteer is about to be (re)loaded; the addresses' secondary indexes
    /// are dropped now and built once, sorted, in finish().
    GazetteerWriter(store::Database& db, const geo::BngTransform& transform, bool bulk = false);

    [[nodiscard]] bool has_street(std::int64_t usrn);
    [[nodiscard]] bool has_property(std::int64_t uprn);

    Change put_street(const StreetData& s);
    /// The street's name; the English descriptor wins over another language's. Renaming a
    /// street re-writes its addresses.
    Change put_descriptor(const DescriptorData& d);
    Change put_property(const PropertyData& p);
    /// Needs the property (has_property). An unknown USRN is kept out (the address has no
    /// street) and counted in streets_missing().
    Change put_address(const AddressData& a);
    Change set_classification(std::int64_t uprn, const std::string& code);

    /// Fails (returns nullopt) while addresses still name the street.
    std::optional<Change> remove_street(std::int64_t usrn);
    Change remove_property(std::int64_t uprn); ///< and its addresses
    Change remove_address(const std::string& lpi_key);

    [[nodiscard]] std::int64_t streets_missing() const { return m_streets_missing; }
    /// Streets that never got a descriptor in this import.
    [[nodiscard]] std::int64_t unnamed_streets();

    /// Brings spatial indexes up to date and restores SpatiaLite's triggers.
    void finish();

  private:
    struct StreetNames {
        bool exists = false;
        std::string descriptor;
        std::string locality;
        std::string town;
        std::string language;
    };
    const StreetNames& street_names(std::int64_t usrn);
    /// Re-composes the street's addresses after a rename; `old_town` is the street's town
    /// before it, so addresses with a post town of their own keep it.
    void rewrite_street_addresses(std::int64_t usrn, const std::string& old_town);

    /// CHECK constraints off while the writer's statements are prepared and run: SQLite codes
    /// `logical_status IN (1, 3, 6, 8)` as a temporary b-tree opened for every row, a tenth
    /// of a bulk load; finish() checks the same rules once over the tables instead.
    struct ChecksDeferred {
        explicit ChecksDeferred(store::Database& db);
        ~ChecksDeferred();
        ChecksDeferred(const ChecksDeferred&) = delete;
        ChecksDeferred& operator=(const ChecksDeferred&) = delete;
        store::Database& db;
    };

    store::Database& m_db;
    ChecksDeferred m_checks_deferred;
    const geo::BngTransform& m_transform;
    store::DeferredSpatialIndex m_deferred;
    /// Bulk load into an empty gazetteer: the properties' R*Tree is built on another core.
    std::unique_ptr<store::PackedRTree> m_property_rtree;
    std::unordered_map<std::int64_t, StreetNames> m_streets;
    std::int64_t m_streets_missing = 0;
    std::vector<std::string> m_dropped_indexes; ///< CREATE INDEX statements to run in finish()
    bool m_addresses_changed = false;
    std::int64_t m_last_property = 0; ///< the UPRN put_property wrote last (0: none)

    store::Statement m_street_get, m_street_insert, m_street_update, m_street_delete,
        m_street_users;
    store::Statement m_descriptor_update;
    store::Statement m_property_exists, m_property_insert, m_property_update, m_property_delete,
        m_property_class, m_property_reclass;
    store::Statement m_address_find, m_address_insert, m_address_update, m_address_delete;
};

} // namespace wardmap::importers
