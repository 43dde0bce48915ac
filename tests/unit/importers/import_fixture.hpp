#pragma once

// A fresh migrated database in a temp dir, files written by the test, and imports run through
// the real framework (run_import) for the streets, councillors and --layer tests.

#include "geo/store/address_search_text.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "server/services/gazetteer/address_index.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace wardmap::testing {

class ImportFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        m_db = m_tmp.path() / "w.sqlite";
        store::migrate(m_db);
    }
    static const geo::BngTransform& transform() {
        static const auto t = geo::BngTransform::create();
        return *t;
    }
    std::filesystem::path write(const std::string& name, const std::string& content) {
        const auto p = m_tmp.path() / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    importers::ImportReport run(const char* kind, const importers::ImportOptions& options) {
        auto db = store::Database::open(m_db);
        importers::Progress quiet(importers::Progress::Mode::quiet);
        return importers::run_import(db, transform(), *importers::find_import_kind(kind), options,
                                     quiet);
    }
    store::Database open() { return store::Database::open(m_db); }
    std::int64_t query_int(const std::string& sql) { return open().query_int(sql).value_or(-1); }
    std::string query_text(const std::string& sql) {
        return open().query_text(sql).value_or("<null>");
    }
    /// The type-ahead index a server would build from the store now.
    std::shared_ptr<const services::AddressIndex> search_index() {
        auto db = open();
        return services::AddressIndex::build(db);
    }
    /// How many properties a search for these finished words finds.
    std::size_t found(const std::string& words) {
        return search_index()->search(store::search_tokens(words), false, 100).size();
    }
    std::string snapshot() const {
        // rdbuf in one go: byte by byte, a store took seconds in the sanitizer build.
        std::ifstream in(m_db, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return std::move(bytes).str();
    }
    static importers::ImportOptions options(const std::filesystem::path& p) {
        importers::ImportOptions o;
        o.source.path = p;
        return o;
    }
    /// Runs an import that must fail, and checks the database did not change at all.
    importers::ImportReport expect_failure(const char* kind,
                                           const importers::ImportOptions& options) {
        const auto before = snapshot();
        auto report = run(kind, options);
        EXPECT_FALSE(report.ok) << report.to_text();
        EXPECT_EQ(report.status, "failed");
        EXPECT_EQ(snapshot(), before) << "the database changed";
        return report;
    }
    /// True when some rejection has this line (or feature), field and reason text.
    static bool rejected(const importers::ImportReport& r,
                         std::int64_t line,
                         const std::string& field,
                         const std::string& reason_part) {
        for (const auto& x : r.rejections) {
            if (x.place.line == line && x.place.field == field &&
                x.reason.find(reason_part) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    TempDir m_tmp;
    std::filesystem::path m_db;
};

} // namespace wardmap::testing
