// Open311's two wire formats written from the same calls, XML escaping, the error list, and the
// form-encoded bodies Open311 clients POST.

#include "server/http/form_body.hpp"
#include "server/http/requests/open311_format.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

namespace wardmap::http {
namespace {

TEST(Open311Format, SplitsTheFormatSuffix) {
    EXPECT_EQ(split_format("services.json"),
              (std::pair{std::string("services"), Open311Format::json}));
    EXPECT_EQ(split_format("fly_tipping.xml"),
              (std::pair{std::string("fly_tipping"), Open311Format::xml}));
    EXPECT_EQ(split_format("a.b.xml")->first, "a.b");
    EXPECT_FALSE(split_format("services"));
    EXPECT_FALSE(split_format("services.html"));
    EXPECT_FALSE(split_format(".json"));
}

TEST(Open311Format, EscapesTextForXml) {
    std::string out;
    append_xml_text(out, "<script>alert('x') & \"y\"</script>");
    EXPECT_EQ(out, "&lt;script&gt;alert(&apos;x&apos;) &amp; &quot;y&quot;&lt;/script&gt;");
    out.clear();
    append_xml_text(out, "caf\xC3\xA9 \xE2\x82\xAC line\nnext\ttab");
    EXPECT_EQ(out, "caf\xC3\xA9 \xE2\x82\xAC line\nnext\ttab"); // UTF-8 and whitespace kept
    out.clear();
    append_xml_text(out, std::string("a\x01z\x00", 4) + "\xFF" + "\xEF\xBF\xBE");
    // A control character, NUL, a stray byte and U+FFFE are not allowed in XML 1.0.
    EXPECT_EQ(out, "a\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    out.clear();
    append_xml_text(out, "\xED\xA0\x80");                   // a UTF-16 surrogate encoded as UTF-8
    EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // one per byte
}

/// The services example in both formats from the same calls.
std::string two_services(Open311Format format) {
    Open311Writer w(format, "services");
    w.begin_list();
    w.begin_object().field("service_code", "a&b").field("metadata", true).field("order", 1).end();
    w.begin_object().field("service_code", "c").field("metadata", false).field("order", 2).end();
    w.end();
    return w.finish();
}

TEST(Open311Writer, ListsBecomeRepeatedItemsInXmlAndBareArraysInJson) {
    EXPECT_EQ(two_services(Open311Format::xml),
              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<services><service><service_code>a&amp;b</service_code><metadata>true</metadata>"
              "<order>1</order></service><service><service_code>c</service_code>"
              "<metadata>false</metadata><order>2</order></service></services>\n");
    EXPECT_EQ(two_services(Open311Format::json),
              R"([{"service_code":"a&b","metadata":true,"order":1},)"
              R"({"service_code":"c","metadata":false,"order":2}])");
}

TEST(Open311Writer, NestsListsAndObjectsAndWritesNullsAndNumbers) {
    const auto definition = [](Open311Format format) {
        Open311Writer w(format, "service_definition");
        w.begin_object().field("service_code", "x").begin_list("attributes").begin_object();
        w.field("datatype_description", std::optional<std::string>{})
            .field_if("absent", std::nullopt)
            .field("lat", 53.6500001, 6)
            .begin_list("values")
            .begin_object()
            .field("key", "k")
            .field("name", "<n>")
            .end()
            .end();
        w.end().end().end();
        return w.finish();
    };
    EXPECT_EQ(definition(Open311Format::xml),
              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<service_definition><service_code>x</service_code><attributes><attribute>"
              "<datatype_description/><lat>53.65</lat><values><value><key>k</key>"
              "<name>&lt;n&gt;</name></value></values></attribute></attributes>"
              "</service_definition>\n");
    EXPECT_EQ(definition(Open311Format::json),
              R"({"service_code":"x","attributes":[{"datatype_description":null,"lat":53.65,)"
              R"("values":[{"key":"k","name":"<n>"}]}]})");
    Open311Writer formats(Open311Format::xml, "formats");
    formats.begin_list().item("text/xml").item("application/json").end();
    EXPECT_EQ(formats.finish(), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<formats>"
                                "<format>text/xml</format><format>application/json</format>"
                                "</formats>\n");
}

TEST(Open311Writer, JsonTextIsEscapedAndAlwaysValidUtf8) {
    Open311Writer w(Open311Format::json, "service_requests");
    w.begin_list()
        .begin_object()
        .field("description", std::string("say \"hi\"\\ \n\x01 caf\xC3\xA9 \xFF end"))
        .end()
        .end();
    const std::string body = w.finish();
    EXPECT_EQ(body, "[{\"description\":\"say \\\"hi\\\"\\\\ \\n\\u0001 caf\xC3\xA9 "
                    "\xEF\xBF\xBD end\"}]");
    EXPECT_EQ(nlohmann::json::parse(body)[0]["description"],
              "say \"hi\"\\ \n\x01 caf\xC3\xA9 \xEF\xBF\xBD end");
}

TEST(Open311Writer, RefusesAnUnfinishedOrSecondDocument) {
    Open311Writer open(Open311Format::json, "services");
    open.begin_list();
    EXPECT_THROW((void)open.finish(), std::logic_error);
    Open311Writer twice(Open311Format::json, "services");
    twice.begin_list().end();
    EXPECT_THROW(twice.begin_list(), std::logic_error);
    Open311Writer outside(Open311Format::xml, "services");
    EXPECT_THROW(outside.end(), std::logic_error);
    outside.begin_object();
    EXPECT_THROW(outside.item("x"), std::logic_error);
}

TEST(Open311Format, ResponsesCarryTheSpecsContentTypes) {
    const auto one = [](Open311Format format) {
        Open311Writer w(format, "service_requests");
        w.begin_list().begin_object().field("service_request_id", "1").end().end();
        return open311_response(w);
    };
    const auto json = one(Open311Format::json);
    EXPECT_EQ(json.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(json.body, R"([{"service_request_id":"1"}])");
    const auto xml = one(Open311Format::xml);
    EXPECT_EQ(xml.content_type, "text/xml; charset=utf-8");
    EXPECT_TRUE(
        xml.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>"));
}

TEST(Open311Format, ErrorsAreListsWithTheHttpStatus) {
    Request request;
    request.path = "/open311/v2/requests.xml";
    const services::DomainError forbidden(services::ErrorCode::forbidden, "invalid api_key");
    const auto xml = open311_error(forbidden, request);
    EXPECT_EQ(xml.status, 403);
    EXPECT_NE(xml.body.find("<errors><error><code>403</code><description>invalid api_key"
                            "</description></error></errors>"),
              std::string::npos)
        << xml.body;
    request.path = "/open311/v2/requests.json";
    const services::DomainError two(services::ErrorCode::invalid_parameter, "two problems",
                                    {{"attribute[a]", "is required"}, {"lat", "is bad"}});
    const auto json = open311_error(two, request);
    EXPECT_EQ(json.status, 400);
    EXPECT_EQ(nlohmann::json::parse(json.body),
              nlohmann::json::parse(R"([{"code":400,"description":"'attribute[a]' is required"},
                                        {"code":400,"description":"'lat' is bad"}])"));
    const services::DomainError media(services::ErrorCode::unsupported_media_type, "send a form");
    EXPECT_EQ(open311_error(media, request).status, 400); // the spec's general error
}

TEST(FormBody, DecodesPairsInOrderKeepingRepeats) {
    const auto form = parse_form("api_key=k&attribute%5Bwaste_type%5D%5B%5D=tyres&"
                                 "attribute[waste_type][]=garden&description=Sofa+%26+bags&"
                                 "empty=&flag&&x=caf%C3%A9");
    ASSERT_EQ(form.size(), 7U);
    EXPECT_EQ(form[0], (std::pair<std::string, std::string>{"api_key", "k"}));
    EXPECT_EQ(form[1].first, "attribute[waste_type][]");
    EXPECT_EQ(form[2].second, "garden");
    EXPECT_EQ(form[3].second, "Sofa & bags");
    EXPECT_EQ(form[4].second, "");
    EXPECT_EQ(form[5].first, "flag");
    EXPECT_EQ(form[6].second, "caf\xC3\xA9");
}

TEST(FormBody, RefusesWhatIsNotUtf8) {
    try {
        (void)parse_form("description=%FF%FE");
        FAIL() << "accepted invalid UTF-8";
    } catch (const services::DomainError& e) {
        EXPECT_EQ(e.code(), services::ErrorCode::invalid_parameter);
        EXPECT_EQ(e.problems().at(0).name, "description");
    }
    EXPECT_THROW((void)parse_form("a=%zz"), services::DomainError);
    Request multipart;
    multipart.headers["Content-Type"] = "multipart/form-data; boundary=x";
    multipart.body = "--x";
    EXPECT_THROW((void)parse_form_body(multipart), services::DomainError);
}

} // namespace
} // namespace wardmap::http
