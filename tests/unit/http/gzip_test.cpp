#include "server/http/gzip.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

TEST(Gzip, RoundTripsAndShrinksRepetitiveJson) {
    std::string json = "[";
    for (int i = 0; i < 1000; ++i) {
        json += R"({"type":"Feature","id":)" + std::to_string(i) + "},";
    }
    json += "0]";
    const auto packed = gzip_compress(json);
    EXPECT_LT(packed.size(), json.size() / 5);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1F);
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8B);
    EXPECT_EQ(testing::gunzip(packed), json);
}

TEST(Gzip, AcceptEncodingNegotiation) {
    EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
    EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("identity"));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_FALSE(accepts_gzip("gzipx"));
}

TEST(Gzip, CompressibleTypes) {
    EXPECT_TRUE(is_compressible("application/geo+json"));
    EXPECT_TRUE(is_compressible("text/html; charset=utf-8"));
    EXPECT_TRUE(is_compressible("image/svg+xml"));
    EXPECT_FALSE(is_compressible("image/png"));
}

} // namespace
} // namespace wardmap::http
