// The service catalogue: the shipped default parses and holds what a district council
// needs; a broken file is refused with a message that says where.

#include "server/services/requests/service_catalogue.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wardmap::services {
namespace {

std::string with_service(const std::string& service) {
    return R"({"jurisdiction_id": "chorley.gov.uk", "council": "Chorley Council",
               "contact": "c", "key_service": "k", "services": [)" +
           service + "]}";
}

const std::string minimal = R"({"code": "litter", "name": "Litter", "group": "Street cleansing",
    "description": "Litter.", "priorities": [{"code": "normal", "name": "Standard",
    "sla_working_days": 5}]})";

std::string refusal(const std::string& text) {
    try {
        (void)ServiceCatalogue::parse(text, "test.json");
    } catch (const CatalogueError& e) {
        return e.what();
    }
    return "";
}

TEST(ServiceCatalogue, TheDefaultCatalogueLoads) {
    const auto c = ServiceCatalogue::load(testing::source_dir() / "data/services/default.json");
    EXPECT_EQ(c.jurisdiction_id(), "chorley.gov.uk");
    for (const char* code : {"fly_tipping", "litter", "overflowing_bin", "dog_fouling", "graffiti",
                             "abandoned_vehicle", "street_cleansing", "grass_cutting",
                             "damaged_nameplate", "public_toilets", "cemetery_issue", "pothole"}) {
        EXPECT_NE(c.find(code), nullptr) << code;
    }
    const auto* fly = c.find("fly_tipping");
    ASSERT_NE(fly, nullptr);
    EXPECT_EQ(fly->attributes.front().code, "waste_type"); // sorted by order
    EXPECT_EQ(fly->attributes.front().datatype, AttributeType::multivaluelist);
    EXPECT_EQ(fly->priority("high").sla_working_days, 1);
    EXPECT_TRUE(c.find("noise_nuisance")->is_private);
    EXPECT_FALSE(c.find("abandoned_vehicle")->anonymous_allowed);
    EXPECT_EQ(c.find("pothole")->agency_responsible, "Lancashire County Council");
    // Every datatype Open311 names is used somewhere.
    std::set<AttributeType> used;
    for (const auto& s : c.services()) {
        for (const auto& a : s.attributes) {
            used.insert(a.datatype);
        }
    }
    EXPECT_EQ(used.size(), 6U);
}

TEST(ServiceCatalogue, AMinimalServiceTakesDefaults) {
    const auto c = ServiceCatalogue::parse(with_service(minimal), "test.json");
    const auto* s = c.find("litter");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->anonymous_allowed);
    EXPECT_FALSE(s->is_private);
    EXPECT_EQ(s->default_priority, "normal");
    EXPECT_DOUBLE_EQ(s->duplicate_radius_m, 50);
    EXPECT_EQ(c.find("nothing"), nullptr);
}

TEST(ServiceCatalogue, BrokenFilesAreRefusedSayingWhere) {
    EXPECT_NE(refusal("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(refusal(with_service(minimal + "," + minimal)).find("appears twice"),
              std::string::npos);
    auto bad_type = minimal;
    bad_type.insert(bad_type.size() - 1, R"(, "attributes": [{"code": "a", "description": "d",
        "datatype": "colour", "order": 1}])");
    const auto message = refusal(with_service(bad_type));
    EXPECT_NE(message.find("test.json: services[0] (litter)"), std::string::npos) << message;
    EXPECT_NE(message.find("datatype 'colour'"), std::string::npos) << message;
    auto list_without_values = minimal;
    list_without_values.insert(list_without_values.size() - 1,
                               R"(, "attributes": [{"code": "a", "description": "d",
        "datatype": "singlevaluelist", "order": 1}])");
    EXPECT_NE(refusal(with_service(list_without_values)).find("needs 'values'"), std::string::npos);
    auto same_order = minimal;
    same_order.insert(same_order.size() - 1, R"(, "attributes": [
        {"code": "a", "description": "d", "datatype": "string", "order": 1},
        {"code": "b", "description": "d", "datatype": "string", "order": 1}])");
    EXPECT_NE(refusal(with_service(same_order)).find("order 1 appears twice"), std::string::npos);
    auto bad_rule = minimal;
    bad_rule.insert(
        bad_rule.size() - 1,
        R"(, "priority_rules": [{"attribute": "x", "value": "y", "priority": "normal"}])");
    EXPECT_NE(refusal(with_service(bad_rule)).find("names no attribute 'x'"), std::string::npos);
    EXPECT_NE(refusal(with_service(R"({"code": "x y", "name": "n", "group": "g",
        "description": "d", "priorities": []})"))
                  .find("may hold only"),
              std::string::npos);
    EXPECT_NE(refusal(with_service(R"({"code": "x", "name": "n", "group": "g",
        "description": "d", "priorities": []})"))
                  .find("at least one priority"),
              std::string::npos);
    EXPECT_THROW((void)ServiceCatalogue::load("/nonexistent/services.json"), CatalogueError);
}

TEST(ServiceCatalogue, EveryServiceWritesAndReadsBackTheSame) {
    const auto c = ServiceCatalogue::load(testing::source_dir() / "data/services/default.json");
    for (const auto& s : c.services()) {
        const std::string once = service_to_json(s);
        EXPECT_EQ(service_to_json(ServiceCatalogue::parse_service(once, "x")), once) << s.code;
    }
}

TEST(ServiceCatalogue, WithServiceReplacesOrAddsWithoutTouchingTheOriginal) {
    const auto c = ServiceCatalogue::parse(with_service(minimal), "test.json");
    auto renamed = *c.find("litter");
    renamed.name = "Litter and rubbish";
    const auto replaced = c.with_service(renamed);
    EXPECT_EQ(replaced.find("litter")->name, "Litter and rubbish");
    EXPECT_EQ(c.find("litter")->name, "Litter");
    auto added = renamed;
    added.code = "bench";
    const auto grown = replaced.with_service(added);
    ASSERT_EQ(grown.services().size(), 2U);
    EXPECT_EQ(grown.find("bench")->name, "Litter and rubbish");
}

TEST(ServiceCatalogue, ARefusalNamesTheField) {
    const auto field = [](const std::string& service) {
        try {
            (void)ServiceCatalogue::parse_service(service, "body");
        } catch (const CatalogueError& e) {
            return e.field();
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(field(R"({"code": "x", "group": "g", "description": "d", "priorities": []})"),
              "name");
    EXPECT_EQ(field(R"({"code": "x", "name": "n", "group": "g", "description": "d",
        "priorities": [{"code": "p", "name": "P", "sla_working_days": 999}]})"),
              "sla_working_days");
    EXPECT_EQ(field(R"({"code": "x", "name": "n", "group": "g", "description": "d",
        "priorities": [{"code": "p", "name": "P", "sla_working_days": 1}],
        "attributes": [{"code": "a", "description": "A", "datatype": "colour", "order": 1}]})"),
              "datatype");
    EXPECT_EQ(field("[]"), "");
}

// Found by fuzz/catalogue_service.cpp: nlohmann throws out_of_range, not parse_error, for a
// number beyond a double's range, and it escaped as something other than CatalogueError.
TEST(ServiceCatalogue, ANumberBeyondADoubleIsRefusedAsNotJson) {
    EXPECT_NE(refusal(with_service(R"({"code": "x", "duplicate_radius_m": 1e999})"))
                  .find("not valid JSON"),
              std::string::npos);
    EXPECT_THROW((void)ServiceCatalogue::parse_service("[1e999]", "body"), CatalogueError);
}

} // namespace
} // namespace wardmap::services
