#pragma once

// BS 7666 addressable objects (SAO/PAO) and the single-line address built from them: shared by
// the gazetteer importers, the demo borough and the DTF writer so all compose addresses alike.

#include <optional>
#include <string>
#include <string_view>

namespace wardmap::importers {

/// A primary or secondary addressable object: a number range ("12", "12A", "2-4") and/or text
/// ("ROSE COURT", "FLAT 2").
struct AddressableObject {
    std::optional<int> start_number;
    std::string start_suffix;
    std::optional<int> end_number;
    std::string end_suffix;
    std::string text;

    [[nodiscard]] bool empty() const { return !start_number && text.empty(); }
    /// "12", "12A", "2-4", "2A-2C"; empty when there is no number.
    [[nodiscard]] std::string number_range() const;
    /// Text then number range, e.g. "FLAT 2" (text "FLAT", number 2) or "ROSE COURT".
    [[nodiscard]] std::string display() const;
};

/// Splits a displayed object back into its parts: "12A" -> 12 + A; "2-4" -> 2..4; "Flat 2" ->
/// text "Flat" + 2; "Rose Cottage" -> text. The inverse of display() for what display() writes.
AddressableObject parse_addressable_object(std::string_view display);

/// The parts of an address as the LLPG holds them.
struct AddressParts {
    AddressableObject sao;
    AddressableObject pao;
    std::string street;
    std::string locality;
    std::string town;
    std::string postcode;
};

/// "FLAT 2, ROSE COURT, 12 MARKET STREET, CHORLEY, PR7 1AB": SAO, PAO text, PAO numbers with the
/// street, locality, town, postcode; empty parts left out. A PAO that is only text stands alone
/// before the street ("Rose Cottage, Mill Lane").
std::string single_line(const AddressParts& parts);

/// Splits a single-line address into its parts, the inverse of single_line() for the layouts
/// councils' files use: "Flat 2, Rose Court, 12 Market Street, Astley Village, Chorley PR7 1AB".
/// A trailing postcode (its own part, or the last two words of the town's) becomes the postcode;
/// the last part left is the town when two or more remain; the first part that starts with a
/// number range gives the PAO number and the street ("12 Market Street", or "12" then "Market
/// Street"); one part before it is the PAO text, two or more are the SAO then the PAO text;
/// parts between the street and the town are the locality. Without a number, the first part is
/// the PAO ("Rose Cottage") and the second the street.
AddressParts parse_single_line(std::string_view line);

} // namespace wardmap::importers
