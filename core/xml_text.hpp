#pragma once

// Text for XML and HTML content, one escaper for the Open311 XML writer, the mail-link pages,
// the Atom feed and the printable ward report.

#include <string>
#include <string_view>

namespace wardmap::core {

/// Appends `text` escaped for XML (and HTML) content or attribute values: & < > " ' as
/// entities, a carriage return as &#13;; characters XML 1.0 forbids (C0 controls but tab,
/// newline and return; U+FFFE, U+FFFF) and bytes that are not UTF-8 become U+FFFD.
void append_xml_text(std::string& out, std::string_view text);

/// The same, as a new string.
[[nodiscard]] std::string xml_text(std::string_view text);

} // namespace wardmap::core
