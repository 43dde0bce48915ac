#include "geo/store/migrations.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"

#include <iostream>

namespace wardmap::cli {

namespace {

struct KeyOptions {
    std::string name;
    std::string role = "client";
    std::string channel = "app";
    std::optional<std::string> rate_limit;
    std::optional<std::string> key_rate_limit;
};

int with_database(const CommonOptions& common, const std::function<int(store::Database&)>& body) {
    setup_logging(common.log_level, false);
    store::migrate(common.db);
    auto db = store::Database::open(common.db);
    return body(db); // a refused value (DomainError) is exit 1 in run_guarded
}

} // namespace

void add_keys_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand("keys", "Issue, list and revoke Open311 API keys");
    cmd->require_subcommand(1);
    auto options = std::make_shared<KeyOptions>();

    auto* add = cmd->add_subcommand("add", "Issue a key; it is printed once, only its hash kept");
    common.add_to(*add);
    add->add_option("--name", options->name, "Who holds it (e.g. 'FixMyStreet')")->required();
    add->add_option("--role", options->role,
                    "client (create requests) or staff (also post "
                    "updates)")
        ->capture_default_str();
    add->add_option("--channel", options->channel,
                    "Channel its requests are recorded under (web, app, phone, staff, ...)")
        ->capture_default_str();
    add->add_option("--rate-limit", options->rate_limit,
                    "Writes allowed per client address, e.g. 10/min (s, min, hour, day)");
    add->add_option("--key-rate-limit", options->key_rate_limit,
                    "Writes allowed with this key from all addresses together, e.g. 600/hour");
    add->callback([&common, &exit_code, options] {
        exit_code = run_guarded("keys add", [&] {
            return with_database(common, [&](store::Database& db) {
                std::cout << services::issue_api_key(db, options->name, options->role,
                                                     options->channel, options->rate_limit,
                                                     options->key_rate_limit)
                          << "\n";
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* list = cmd->add_subcommand("list", "List keys (names, roles, dates; never the keys)");
    common.add_to(*list);
    list->callback([&common, &exit_code] {
        exit_code = run_guarded("keys list", [&] {
            return with_database(common, [](store::Database& db) {
                auto st = db.prepare("SELECT name, role, channel, created_at, "
                                     "ifnull(revoked_at, ''), rate_limit_per_address, "
                                     "rate_limit_per_key FROM api_keys ORDER BY id");
                while (st.step()) {
                    std::string limits;
                    if (const auto a = st.optional_text(5)) {
                        limits = *a + " per address";
                    }
                    if (const auto k = st.optional_text(6)) {
                        limits += (limits.empty() ? "" : ", ") + *k + " per key";
                    }
                    std::cout << st.text(0) << "\t" << st.text(1) << "\t" << st.text(2) << "\t"
                              << st.text(3) << "\t" << st.text(4) << "\t"
                              << (limits.empty() ? "no rate limit" : limits) << "\n";
                }
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* revoke = cmd->add_subcommand("revoke", "Revoke the live key of a holder");
    common.add_to(*revoke);
    revoke->add_option("--name", options->name, "Holder whose key to revoke")->required();
    revoke->callback([&common, &exit_code, options] {
        exit_code = run_guarded("keys revoke", [&] {
            return with_database(common, [&](store::Database& db) {
                const int n = services::revoke_api_keys(db, options->name);
                std::cout << "revoked " << n << " key" << (n == 1 ? "" : "s") << "\n";
                return static_cast<int>(n > 0 ? exit_ok : exit_failure);
            });
        });
    });
}

} // namespace wardmap::cli
