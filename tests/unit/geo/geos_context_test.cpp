#include "geo/errors.hpp"
#include "geo/geos_context.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace wardmap::geo {
namespace {

TEST(GeosContext, ManyGeometriesShareOneContext) {
    GeosContext ctx;
    auto square = ctx.from_wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    auto inside = ctx.point(5, 5);
    auto outside = ctx.point(15, 5);
    auto prepared = ctx.prepare(square.get());
    EXPECT_EQ(GEOSPreparedContains_r(ctx.handle(), prepared.get(), inside.get()), 1);
    EXPECT_EQ(GEOSPreparedContains_r(ctx.handle(), prepared.get(), outside.get()), 0);
    const auto box = ctx.envelope(square.get());
    EXPECT_DOUBLE_EQ(box.max_x, 10);
}

TEST(GeosContext, ErrorsCarryGeosMessage) {
    GeosContext ctx;
    try {
        ctx.from_wkt("POLYGON ((0 0, 1 1");
        FAIL() << "expected GeoError";
    } catch (const GeoError& e) {
        EXPECT_NE(std::string(e.what()).find("WKT"), std::string::npos) << e.what();
    }
}

TEST(GeosContext, ValidityReasonNamesTheProblem) {
    GeosContext ctx;
    auto bowtie = ctx.from_wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
    EXPECT_FALSE(ctx.is_valid(bowtie.get()));
    EXPECT_NE(ctx.validity_reason(bowtie.get()).find("Self-intersection"), std::string::npos);
}

TEST(GeosContext, EachThreadHasItsOwn) {
    GeosContext* main_ctx = &this_thread_geos();
    GeosContext* other_ctx = nullptr;
    std::thread([&] { other_ctx = &this_thread_geos(); }).join();
    EXPECT_NE(main_ctx, other_ctx);
}

} // namespace
} // namespace wardmap::geo
