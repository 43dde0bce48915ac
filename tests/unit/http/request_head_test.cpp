#include "server/http/request_head.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace wardmap::http {
namespace {

using Status = HeadScan::Status;

TEST(RequestHead, ReadsRequestLineAndHeaders) {
    const std::string bytes =
        "GET /api/wards?at=1,2 HTTP/1.1\r\nHost: x\r\nX-A:  b c \t\r\n\r\nBODY";
    const auto scan = scan_request_head(bytes);
    ASSERT_EQ(scan.status, Status::complete) << scan.problem.detail;
    EXPECT_EQ(scan.head.method, "GET");
    EXPECT_EQ(scan.head.target, "/api/wards?at=1,2");
    EXPECT_EQ(scan.head.minor_version, 1);
    ASSERT_EQ(scan.head.headers.size(), 2U);
    EXPECT_EQ(scan.head.headers[1].first, "X-A");
    EXPECT_EQ(scan.head.headers[1].second, "b c");
    EXPECT_EQ(bytes.substr(scan.head.head_bytes), "BODY");
}

TEST(RequestHead, AcceptsBareLfAndLeadingEmptyLines) {
    const auto scan = scan_request_head("\r\n\nPOST / HTTP/1.0\nA: 1\n\n");
    ASSERT_EQ(scan.status, Status::complete) << scan.problem.detail;
    EXPECT_EQ(scan.head.method, "POST");
    EXPECT_EQ(scan.head.minor_version, 0);
}

TEST(RequestHead, IsIncompleteUntilTheBlankLineAtEverySplit) {
    const std::string bytes = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        EXPECT_EQ(scan_request_head(bytes.substr(0, n)).status, Status::incomplete) << n;
    }
    EXPECT_EQ(scan_request_head(bytes).status, Status::complete);
}

TEST(RequestHead, RefusesAMalformedRequestLineBeforeItEnds) {
    for (const std::string bytes :
         {"GARBAGE\r\n\r\n", "\x16\x03\x01\x02\x00", "GET  /x", "GET /a b HTTP/1.1\r\n",
          "GET /x HTTP/2.0\r\n", "GET /x HTTP/1.1x", "GET x HTTP/1.1\r\n\r\n", "G(T / HTTP/1.1\r\n",
          "GET /\x01 HTTP/1.1"}) {
        const auto scan = scan_request_head(bytes);
        EXPECT_EQ(scan.status, Status::invalid) << bytes;
        EXPECT_EQ(scan.problem.status, 400) << bytes;
    }
}

TEST(RequestHead, RefusesMalformedHeaders) {
    for (const std::string header :
         {"NoColon", ": empty-name", "Bad Name: x", "A: b\x01", " folded: x", "A: b\rc"}) {
        const auto scan = scan_request_head("GET / HTTP/1.1\r\n" + header + "\r\n\r\n");
        EXPECT_EQ(scan.status, Status::invalid) << header;
        EXPECT_EQ(scan.problem.status, 400) << header;
    }
}

TEST(RequestHead, RefusesALongRequestLineAs414AndLongHeadersAs431) {
    const HeadLimits limits{1024, 10};
    const std::string long_target = "GET /" + std::string(2000, 'a');
    auto scan = scan_request_head(long_target, limits);
    EXPECT_EQ(scan.status, Status::invalid);
    EXPECT_EQ(scan.problem.status, 414);
    scan = scan_request_head(long_target + " HTTP/1.1\r\n\r\n", limits);
    EXPECT_EQ(scan.problem.status, 414);

    const std::string big_header = "GET / HTTP/1.1\r\nA: " + std::string(2000, 'b');
    EXPECT_EQ(scan_request_head(big_header, limits).problem.status, 431);
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 11; ++i) {
        many += "H" + std::to_string(i) + ": v\r\n";
    }
    EXPECT_EQ(scan_request_head(many + "\r\n", limits).problem.status, 431);
    EXPECT_EQ(scan_request_head(std::string(2000, '\n'), limits).status, Status::invalid);
}

TEST(RequestHead, TakesLinearTimeOnAHugeRequestLine) {
    const std::string huge = "GET /" + std::string(4U << 20, 'a');
    const auto started = std::chrono::steady_clock::now();
    const auto scan = scan_request_head(huge, HeadLimits{huge.size() + 10, 100});
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(scan.status, Status::incomplete);
    EXPECT_LT(elapsed, std::chrono::seconds(1));
}

RequestHead head_with(std::vector<std::pair<std::string, std::string>> headers, int minor = 1) {
    RequestHead head;
    head.method = "POST";
    head.target = "/";
    head.minor_version = minor;
    head.headers = std::move(headers);
    return head;
}

TEST(BodyFraming, ReadsContentLengthAndChunked) {
    auto r = body_framing(head_with({{"content-length", "42"}}));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.framing.kind, BodyFraming::Kind::length);
    EXPECT_EQ(r.framing.length, 42U);
    r = body_framing(head_with({{"Transfer-Encoding", "Chunked"}}));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.framing.kind, BodyFraming::Kind::chunked);
    r = body_framing(head_with({{"Content-Length", "5"}, {"Content-Length", "5"}}));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(body_framing(head_with({})).framing.kind, BodyFraming::Kind::none);
}

TEST(BodyFraming, RefusesBadLengthsAndCodings) {
    for (const std::string value :
         {"-5", "", "abc", "1e3", "+1", " 1 2", "5, 5", "99999999999999999999", "0x10"}) {
        const auto r = body_framing(head_with({{"Content-Length", value}}));
        EXPECT_FALSE(r.ok) << value;
        EXPECT_EQ(r.problem.status, 400) << value;
    }
    EXPECT_FALSE(body_framing(head_with({{"Content-Length", "5"}, {"Content-Length", "6"}})).ok);
    EXPECT_FALSE(
        body_framing(head_with({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}})).ok);
    EXPECT_FALSE(body_framing(head_with({{"Transfer-Encoding", "chunked"}}, 0)).ok);
    EXPECT_EQ(body_framing(head_with({{"Transfer-Encoding", "gzip, chunked"}})).problem.status,
              501);
}

TEST(ChunkedDecoder, DecodesAcrossAnySplit) {
    const std::string wire = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        ChunkedDecoder decoder(100);
        std::string body;
        auto first = decoder.feed(std::string_view(wire).substr(0, split), body);
        ASSERT_NE(first.status, ChunkedDecoder::Status::invalid) << split << first.detail;
        std::size_t end = first.consumed;
        if (first.status != ChunkedDecoder::Status::done) {
            const auto second = decoder.feed(std::string_view(wire).substr(split), body);
            ASSERT_EQ(second.status, ChunkedDecoder::Status::done) << split;
            end = split + second.consumed;
        }
        EXPECT_EQ(body, "hello world") << split;
        EXPECT_EQ(wire.substr(end), "NEXT") << split;
    }
}

TEST(ChunkedDecoder, RefusesHugeAndMalformedSizes) {
    std::string body;
    EXPECT_EQ(ChunkedDecoder(100).feed("ffffffffffffffff\r\n", body).status,
              ChunkedDecoder::Status::invalid);
    EXPECT_EQ(ChunkedDecoder(100).feed("-1\r\n", body).status, ChunkedDecoder::Status::invalid);
    EXPECT_EQ(ChunkedDecoder(100).feed("zz\r\n", body).status, ChunkedDecoder::Status::invalid);
    EXPECT_EQ(ChunkedDecoder(100).feed("3\r\nabcX", body).status, ChunkedDecoder::Status::invalid);
    EXPECT_EQ(ChunkedDecoder(100).feed("65\r\n", body).status, ChunkedDecoder::Status::too_large);
    EXPECT_EQ(ChunkedDecoder(100).feed("7fffffffffffffff\r\n", body).status,
              ChunkedDecoder::Status::too_large);
    EXPECT_EQ(ChunkedDecoder(100).feed("40\r\n" + std::string(64, 'a') + "\r\n40\r\n", body).status,
              ChunkedDecoder::Status::too_large);
    EXPECT_EQ(ChunkedDecoder(100, 16).feed(std::string(40, '1'), body).status,
              ChunkedDecoder::Status::invalid);
}

} // namespace
} // namespace wardmap::http
