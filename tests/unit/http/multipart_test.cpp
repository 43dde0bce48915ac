// The strict multipart/form-data parser behind photo uploads and Open311 `media`: what it
// takes (curl's and browsers' shapes) and every malformed body it refuses.

#include "server/http/multipart.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

using services::DomainError;
using services::ErrorCode;

/// The parser's malformed_body detail for `body`, or "" when it parses.
std::string refusal(const std::string& body, const MultipartLimits& limits = {}) {
    try {
        (void)parse_multipart(body, "XyZ", limits);
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::malformed_body);
        return e.detail();
    }
    return "";
}

TEST(Multipart, FindsTheBoundaryInTheContentType) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
    EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=----x"), "----x");
    EXPECT_FALSE(multipart_boundary("multipart/form-data"));
    EXPECT_FALSE(multipart_boundary("multipart/mixed; boundary=abc"));
    EXPECT_FALSE(multipart_boundary("application/x-www-form-urlencoded"));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"ends in space \""));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"unclosed"));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=a<b"));
}

TEST(Multipart, SplitsFieldsAndFilesAsCurlSendsThem) {
    // CRLF, NUL and a near miss of the boundary (it is case-sensitive) inside a file.
    const std::string jpeg("\xFF\xD8\xFF\r\n--Xyz-near-miss\0end", 24);
    const std::string body = "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"service_code\"\r\n"
                             "\r\n"
                             "fly_tipping\r\n"
                             "--XyZ\r\n"
                             "content-disposition: form-data; name=\"media\"; "
                             "filename=\"a \\\"b\\\".jpg\"\r\n"
                             "Content-Type: Image/JPEG\r\n"
                             "\r\n" +
                             jpeg +
                             "\r\n"
                             "--XyZ--\r\n"
                             "epilogue is ignored";
    const auto parts = parse_multipart(body, "XyZ");
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_EQ(parts[0].name, "service_code");
    EXPECT_FALSE(parts[0].filename);
    EXPECT_EQ(parts[0].content_type, "text/plain");
    EXPECT_EQ(parts[0].body, "fly_tipping");
    EXPECT_EQ(parts[1].name, "media");
    EXPECT_EQ(parts[1].filename, "a \"b\".jpg");
    EXPECT_EQ(parts[1].content_type, "image/jpeg");
    EXPECT_EQ(parts[1].body, jpeg);
}

TEST(Multipart, TakesAnEmptyValueTransportPaddingAndNoParts) {
    const auto parts = parse_multipart("--XyZ  \r\nContent-Disposition: form-data; name=a\r\n\r\n"
                                       "\r\n--XyZ--",
                                       "XyZ");
    ASSERT_EQ(parts.size(), 1U);
    EXPECT_EQ(parts[0].name, "a");
    EXPECT_EQ(parts[0].body, "");
    EXPECT_TRUE(parse_multipart("--XyZ--\r\n", "XyZ").empty());
}

TEST(Multipart, RefusesMalformedBodiesSayingWhy) {
    const std::string part = "Content-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
    EXPECT_EQ(refusal("--XyZ\r\n" + part + "\r\n--XyZ--"), "");
    EXPECT_NE(refusal("preamble\r\n--XyZ\r\n" + part + "\r\n--XyZ--")
                  .find("does not start with its boundary"),
              std::string::npos);
    EXPECT_NE(refusal("--Other\r\n" + part + "\r\n--Other--").find("does not start"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\n" + part).find("ends before the closing boundary"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\n" + part + "\r\n--XyZ").find("ends before the closing boundary"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\n" + part + "\r\n--XyZ--").find("not ended by CRLF"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\n" + part + "\r\n--XyZjunk\r\n").find("not ended by CRLF"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\n\nv\r\n--XyZ--")
                  .find("headers do not end with a blank line"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nv\r\n"
                      "--XyZ--")
                  .find("not ended by CRLF"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\n\r\nv\r\n--XyZ--").find("without a Content-Disposition name"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--")
                  .find("without a Content-Disposition name"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ--")
                  .find("is not 'form-data; name=...'"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--XyZ--")
                  .find("parameters are malformed"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--XyZ--")
                  .find("without a Content-Disposition name"),
              std::string::npos);
    EXPECT_NE(refusal("--XyZ\r\nno colon here\r\n\r\nv\r\n--XyZ--").find("'Name: value'"),
              std::string::npos);
    EXPECT_NE(refusal("").find("does not start"), std::string::npos);
}

TEST(Multipart, EnforcesItsLimits) {
    std::string many = "--XyZ";
    for (int i = 0; i < 3; ++i) {
        many += "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--XyZ";
    }
    many += "--";
    EXPECT_EQ(parse_multipart(many, "XyZ").size(), 3U);
    EXPECT_NE(refusal(many, MultipartLimits{.max_parts = 2, .max_header_bytes = 8192})
                  .find("more than 2 parts"),
              std::string::npos);
    const std::string big_header =
        "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: " + std::string(9000, 'x') +
        "\r\n\r\nv\r\n--XyZ--";
    EXPECT_NE(refusal(big_header).find("headers over 8192 bytes"), std::string::npos);
}

} // namespace
} // namespace wardmap::http
