// The public grave search's name keys (geo/store/burial_name_keys): a table of name pairs
// that must sound alike and pairs that must not, the spellings, and the parse of a query.

#include "geo/store/burial_name_keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace wardmap::store {
namespace {

bool share_a_key(const std::string& a, const std::string& b) {
    const auto ka = surname_keys(a), kb = surname_keys(b);
    return std::any_of(ka.begin(), ka.end(), [&kb](const std::string& k) {
        return std::find(kb.begin(), kb.end(), k) != kb.end();
    });
}

struct Pair {
    const char* a;
    const char* b;
};

TEST(BurialNameKeys, VariantsOfOneSurnameMatch) {
    const std::vector<Pair> same = {
        {"Smith", "Smyth"},        {"Smith", "Smithe"},       {"Smyth", "SMITH"},
        {"Macdonald", "McDonald"}, {"MacDonald", "Mcdonald"}, {"Thompson", "Thomson"},
        {"Thomson", "Tomson"},     {"Ainscough", "Ainscow"},  {"Ainscough", "Ainscoe"},
        {"Clark", "Clarke"},       {"Brown", "Browne"},       {"Phillips", "Philips"},
        {"Stephens", "Stevens"},   {"Reid", "Reed"},          {"Rodgers", "Rogers"},
        {"Simpson", "Simson"},     {"O'Brien", "OBrien"},     {"O'Brien", "O’Brien"},
        {"Grey", "Gray"},          {"Knowles", "Nowles"},     {"Wright", "Right"},
        {"Haigh", "Hay"},          {"Mackenzie", "McKenzie"}, {"Catherall", "Katherall"},
        {"St John", "Saint John"}, {"Smith-Jones", "Jones"},  {"Ashcroft", "ASHCROFT"},
        {"Sephton", "Sefton"},     {"Crook", "Crooke"},
    };
    for (const auto& p : same) {
        EXPECT_TRUE(share_a_key(p.a, p.b)) << p.a << " / " << p.b;
    }
}

TEST(BurialNameKeys, DifferentSurnamesDoNotMatch) {
    const std::vector<Pair> different = {
        {"Smith", "Smart"},      {"Smith", "Smithson"},      {"Jones", "James"},
        {"Thompson", "Thomas"},  {"Ainscough", "Ainsworth"}, {"Wilson", "Williamson"},
        {"Macdonald", "Donald"}, {"Brown", "Bryant"},        {"Taylor", "Turner"},
        {"Clark", "Cook"},       {"Walker", "Wallace"},      {"Harris", "Morris"},
        {"Baxter", "Barker"},    {"Hodgson", "Dodgson"},     {"Smith", "Schmidt"},
        {"Leigh", "Lees"},
    };
    for (const auto& p : different) {
        EXPECT_FALSE(share_a_key(p.a, p.b)) << p.a << " / " << p.b;
    }
}

TEST(BurialNameKeys, SoundKeysAreConsonantSkeletons) {
    EXPECT_EQ(sound_key("smith"), "SMT");
    EXPECT_EQ(sound_key("thompson"), "TMSN");
    EXPECT_EQ(sound_key("ainscough"), "ANSK");
    EXPECT_EQ(sound_key("mcdonald"), "MKTNLT");
    EXPECT_EQ(sound_key("macdonald"), "MKTNLT");
    EXPECT_EQ(sound_key("church"), "XRX");
    EXPECT_EQ(sound_key("christie"), "KRST");
    EXPECT_EQ(sound_key(""), "");
}

TEST(BurialNameKeys, SpellingsAreLettersOnly) {
    EXPECT_EQ(surname_spelling("O'Brien"), "obrien");
    EXPECT_EQ(surname_spelling("Smith-Jones"), "smithjones");
    EXPECT_EQ(surname_spelling("Núñez"), "nunez");
    EXPECT_EQ(surname_spelling("Saint John"), "stjohn");
    EXPECT_EQ(surname_spelling("  "), "");
    EXPECT_EQ(name_words("Mary-Ann  O'Hara 3rd"),
              (std::vector<std::string>{"mary", "ann", "ohara", "rd"}));
}

TEST(BurialNameKeys, AQueryIsASurnameWithOptionalForenames) {
    auto q = parse_name_query("Smyth");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->surname, "smyth");
    EXPECT_EQ(q->keys, (std::vector<std::string>{"SMT"}));
    EXPECT_TRUE(q->forenames.empty());

    q = parse_name_query("Mary Ann Smith");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->surname, "smith");
    EXPECT_EQ(q->forenames, (std::vector<std::string>{"mary", "ann"}));
    EXPECT_EQ(q->forename_keys, (std::vector<std::string>{"MR", "AN"}));

    q = parse_name_query("Smith, John");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->surname, "smith");
    EXPECT_EQ(q->forenames, (std::vector<std::string>{"john"}));

    q = parse_name_query("Maria de la Cruz");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->surname, "delacruz");
    EXPECT_EQ(q->forenames, (std::vector<std::string>{"maria"}));

    EXPECT_FALSE(parse_name_query(""));
    EXPECT_FALSE(parse_name_query("J"));
    EXPECT_FALSE(parse_name_query("123"));
    EXPECT_FALSE(parse_name_query(", John"));
    // At most four forenames are used.
    q = parse_name_query("a b c d e f Smith");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->forenames.size(), 4U);
}

} // namespace
} // namespace wardmap::store
