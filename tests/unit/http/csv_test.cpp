#include "server/http/csv.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

std::string cell(std::string_view value) {
    std::string out;
    append_csv_cell(out, value);
    return out;
}

TEST(Csv, QuotesOnlyWhatRfc4180Needs) {
    EXPECT_EQ(cell("plain"), "plain");
    EXPECT_EQ(cell(""), "");
    EXPECT_EQ(cell("a,b"), "\"a,b\"");
    EXPECT_EQ(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(cell("two\r\nlines"), "\"two\r\nlines\"");
}

TEST(Csv, FormulasNeverRun) {
    // Each would run in a spreadsheet; the apostrophe makes it text.
    EXPECT_EQ(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    EXPECT_EQ(cell("+1"), "\"'+1\"");
    EXPECT_EQ(cell("-2+3"), "\"'-2+3\"");
    EXPECT_EQ(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
    EXPECT_EQ(cell("\tx"), "\"'\tx\"");
    EXPECT_EQ(cell("a=b"), "a=b");
}

TEST(Csv, RowsEndInCrlf) {
    std::string out;
    append_csv_row(out, {"id", "name"});
    append_csv_row(out, {"1", "O'Brien, Pat"});
    EXPECT_EQ(out, "id,name\r\n1,\"O'Brien, Pat\"\r\n");
}

} // namespace
} // namespace wardmap::http
