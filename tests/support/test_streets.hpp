#pragma once

// The little gazetteer the streetscene service tests build on: streets 9001 and 9002 (the same
// 100 m line near 358000, 418000) with properties 101 and 102 on 9001 and 201 on 9002, each
// with an approved address "<uprn> Test Street, Chorley".

#include "geo/store/database.hpp"

#include <string>
#include <utility>

namespace wardmap::testing {

inline void add_test_streets(store::Database& db) {
    for (const auto usrn : {9001, 9002}) {
        db.exec("INSERT INTO streets (usrn, descriptor, town, geom, geom_wgs84) VALUES (" +
                std::to_string(usrn) +
                ", 'Test Street', 'Chorley', MakeLine(MakePoint(358000, 418000, 27700), "
                "MakePoint(358100, 418000, 27700)), MakeLine(MakePoint(-2.6, 53.65, 4326), "
                "MakePoint(-2.599, 53.65, 4326)))");
    }
    for (const auto& [uprn, usrn] : {std::pair{101, 9001}, {102, 9001}, {201, 9002}}) {
        const auto u = std::to_string(uprn);
        db.exec("INSERT INTO properties (uprn, classification, easting, northing, lon, lat, geom, "
                "geom_wgs84) VALUES (" +
                u +
                ", 'RD04', 358050, 418010, -2.6, 53.65, MakePoint(358050, 418010, 27700), "
                "MakePoint(-2.6, 53.65, 4326))");
        db.exec("INSERT INTO addresses (uprn, usrn, paon, street, town, single_line) VALUES (" + u +
                ", " + std::to_string(usrn) + ", '" + u + "', 'Test Street', 'Chorley', '" + u +
                " Test Street, Chorley')");
    }
}

} // namespace wardmap::testing
