#include "geo/errors.hpp"
#include "geo/store/database.hpp"
#include "importers/import_error.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/common_options.hpp"
#include "server/services/shared/errors.hpp"

#include <iostream>

namespace wardmap::cli {

// The CLI's one translation point: every command's body runs inside it, and no exception
// leaves it. Exit codes as `wardmap --help` lists them.
int run_guarded(const char* command, const std::function<int()>& body) {
    const auto fail = [command](const std::string& what, int code) {
        std::cerr << "wardmap " << command << ": " << what << "\n";
        return code;
    };
    try {
        return body();
    } catch (const services::DomainError& e) {
        // A value the user gave was refused (a key name, a role, an email...).
        return fail(e.detail(), exit_usage);
    } catch (const importers::ImportError& e) {
        return fail(e.what(), exit_failure);
    } catch (const store::StoreError& e) {
        return fail(std::string("database error: ") + e.what(), exit_database);
    } catch (const geo::NoAccurateTransform& e) {
        return fail(e.what(), exit_transform);
    } catch (const std::exception& e) {
        return fail(e.what(), exit_failure);
    } catch (...) {
        return fail("unexpected error", exit_failure);
    }
}

} // namespace wardmap::cli
