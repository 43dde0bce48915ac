#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace wardmap::http {

/// Appends one CSV cell (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote,
/// CR or LF. A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) is
/// written with a leading apostrophe, so an exported value can never execute.
void append_csv_cell(std::string& out, std::string_view value);

/// Appends cells separated by commas and the row's CRLF.
void append_csv_row(std::string& out, std::initializer_list<std::string_view> cells);

} // namespace wardmap::http
