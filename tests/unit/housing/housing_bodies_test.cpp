// The housing routes' JSON bodies: a good body reads into the service's values, and a bad one
// is refused with every problem named by its field (never a crash or another exception).

#include "server/http/housing/housing_bodies.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

using nlohmann::json;
using services::DomainError;
using services::ErrorCode;

std::vector<std::string> fields_of(const DomainError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) {
        out.push_back(p.name);
    }
    return out;
}

template <typename F> std::vector<std::string> refused(F&& parse) {
    try {
        parse();
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_parameter) << e.detail();
        return fields_of(e);
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(HousingBodies, AGoodRegistrationReads) {
    const auto in = parse_empty_property(json::parse(
        R"({"uprn": "100010012345", "source": "council_tax", "empty_since": "2025-02-28",
            "furnished": true, "risk": "high", "notes": "boarded up"})"));
    EXPECT_EQ(in.uprn, 100010012345);
    EXPECT_EQ(in.source, "council_tax");
    EXPECT_EQ(in.empty_since.iso(), "2025-02-28");
    EXPECT_FALSE(in.registered_on);
    EXPECT_TRUE(in.furnished);
    EXPECT_EQ(in.risk, services::EmptyRisk::high);
    EXPECT_EQ(in.status, "monitoring");
    EXPECT_EQ(in.notes, "boarded up");
}

TEST(HousingBodies, EveryProblemOfARegistrationIsNamed) {
    const auto fields = refused([] {
        (void)parse_empty_property(json::parse(
            R"({"uprn": 0, "source": "rumour", "empty_since": "2025-02-30", "risk": 3,
                "furnished": "yes", "colour": "red"})"));
    });
    EXPECT_EQ(fields, (std::vector<std::string>{"colour", "uprn", "source", "empty_since",
                                                "furnished", "risk"}));
}

TEST(HousingBodies, ANonObjectBodyIsMalformed) {
    for (const char* text : {"[]", "null", "\"x\"", "12"}) {
        try {
            (void)parse_inspection(json::parse(text));
            ADD_FAILURE() << text;
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::malformed_body) << text;
        }
    }
}

TEST(HousingBodies, InspectionsNeedEveryAssessment) {
    EXPECT_EQ(
        refused([] { (void)parse_inspection(json::object()); }),
        (std::vector<std::string>{"inspected_on", "condition", "security", "recommended_action"}));
    const auto in = parse_inspection(json::parse(
        R"({"inspected_on": "2026-12-01", "condition": "poor", "security": "insecure",
            "recommended_action": "contact_owner"})"));
    EXPECT_EQ(in.inspected_on.iso(), "2026-12-01");
    EXPECT_EQ(in.recommended_action, "contact_owner");
}

TEST(HousingBodies, AChangeKeepsAbsentMembersAndNullClearsNotes) {
    const auto c = parse_empty_property_change(json::parse(R"({"risk": "low", "notes": null})"));
    EXPECT_EQ(c.risk, services::EmptyRisk::low);
    ASSERT_TRUE(c.notes);
    EXPECT_FALSE(*c.notes);
    EXPECT_FALSE(c.source);
    EXPECT_TRUE(parse_empty_property_change(json::object()).empty());
}

TEST(HousingBodies, OwnerDetailsAreBoundedAndEmptyStringsAreNone) {
    const auto o = parse_owner(json::parse(R"({"name": "A Owner", "phone": ""})"));
    EXPECT_EQ(o.name, "A Owner");
    EXPECT_FALSE(o.phone);
    EXPECT_EQ(refused([] {
                  (void)parse_owner(json::parse(R"({"email": "not-an-address", "phone": 7})"));
              }),
              (std::vector<std::string>{"phone", "email"}));
    EXPECT_EQ(refused([] {
                  (void)parse_owner(json{{"name", std::string(300, 'x')}});
              }),
              (std::vector<std::string>{"name"}));
}

TEST(HousingBodies, AStatusChangeNamesAnUnknownStatus) {
    EXPECT_EQ(refused([] {
                  (void)parse_status_change(json{{"status", "sold"}});
              }),
              (std::vector<std::string>{"status"}));
    EXPECT_EQ(parse_status_change(json{{"status", "back_in_use"}}).status, "back_in_use");
}

} // namespace
} // namespace wardmap::http
