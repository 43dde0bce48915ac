#include "geo/store/database.hpp"
#include "importers/gazetteer_writer.hpp"
#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

namespace wardmap {
namespace {

class GazetteerWriterTest : public testing::ImportFixture {};

importers::PropertyData property(std::int64_t uprn, int logical_status) {
    importers::PropertyData p;
    p.uprn = uprn;
    p.logical_status = logical_status;
    p.classification = "RD04";
    p.at = {358000, 417000};
    return p;
}

TEST_F(GazetteerWriterTest, InsertThenUpdateThenNothingToChange) {
    auto db = open();
    store::Transaction tx(db);
    importers::GazetteerWriter writer(db, transform(), false);
    EXPECT_EQ(writer.put_property(property(100001, 1)), importers::Change::inserted);
    EXPECT_EQ(writer.put_property(property(100001, 6)), importers::Change::updated);
    EXPECT_EQ(writer.put_property(property(100001, 6)), importers::Change::none);
    writer.finish();
    tx.commit();
    EXPECT_EQ(query_int("SELECT logical_status FROM properties WHERE uprn = 100001"), 6);
}

TEST_F(GazetteerWriterTest, TheCheckConstraintsItDefersAreCheckedWhenItFinishes) {
    auto db = open();
    store::Transaction tx(db);
    importers::GazetteerWriter writer(db, transform(), false);
    writer.put_property(property(100001, 1));
    writer.put_property(property(100002, 5)); // not an LLPG logical status
    EXPECT_THROW(writer.finish(), store::StoreError);
}

TEST_F(GazetteerWriterTest, ChecksAreBackOnForTheConnectionAfterwards) {
    auto db = open();
    { importers::GazetteerWriter writer(db, transform(), false); }
    EXPECT_THROW(db.exec("INSERT INTO properties (uprn, logical_status, classification, easting, "
                         "northing, lon, lat, geom, geom_wgs84) VALUES (100003, 5, 'RD04', 1, 1, "
                         "0, 0, MakePoint(1, 1, 27700), MakePoint(0, 0, 4326))"),
                 store::StoreError);
}

} // namespace
} // namespace wardmap
