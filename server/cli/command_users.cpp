#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/access/accounts.hpp"
#include "server/services/shared/errors.hpp"

#include <cstdlib>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace wardmap::cli {

namespace {

struct UserOptions {
    std::string email;
    std::string name;
    std::string role;
    std::vector<std::string> wards;
    std::vector<std::string> teams;
    std::string firm;
};

/// Restores the terminal's echo however the prompt ends.
class EchoOff {
  public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &m_saved) == 0) {
            termios quiet = m_saved;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ~EchoOff() {
        if (m_active) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    termios m_saved{};
    bool m_active = false;
};

std::string prompt_hidden(const char* label) {
    std::cerr << label << std::flush;
    std::string line;
    {
        EchoOff quiet;
        std::getline(std::cin, line);
    }
    std::cerr << "\n";
    return line;
}

/// From WARDMAP_PASSWORD, or typed twice at a terminal; never from the command line, where
/// ps and the shell's history would show it.
std::optional<std::string> new_password(bool required) {
    if (const char* env = std::getenv("WARDMAP_PASSWORD"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
    if (isatty(STDIN_FILENO) == 0) {
        if (required) {
            throw services::DomainError(services::ErrorCode::invalid_parameter,
                                        "set WARDMAP_PASSWORD or run this at a terminal to "
                                        "type the password");
        }
        return std::nullopt;
    }
    if (!required) {
        return std::nullopt;
    }
    auto first = prompt_hidden("New password: ");
    if (prompt_hidden("Again: ") != first) {
        throw services::DomainError(services::ErrorCode::invalid_parameter,
                                    "the two passwords typed differ");
    }
    return first;
}

std::string describe(const services::RoleGrant& grant) {
    std::string out(services::role_name(grant.role));
    std::string scope;
    for (const auto& ward : grant.wards) {
        scope += (scope.empty() ? "" : ",") + ward;
    }
    for (const auto team : grant.teams) {
        scope += (scope.empty() ? "" : ",") + std::string(services::team_name(team));
    }
    if (grant.firm) {
        scope += (scope.empty() ? "" : ",") + *grant.firm;
    }
    return scope.empty() ? out : out + "(" + scope + ")";
}

int with_accounts(const CommonOptions& common,
                  const std::function<int(services::AccountService&)>& body) {
    setup_logging(common.log_level, false);
    store::migrate(common.db);
    store::ConnectionPool pool(common.db, 1,
                               {.mode = store::OpenMode::read_write, .busy_timeout_ms = 5000});
    services::AccountService accounts(pool);
    return body(accounts);
}

void add_role_options(CLI::App& cmd, UserOptions& options) {
    cmd.add_option("--role", options.role,
                   "councillor, officer, supervisor, admin or funeral_director")
        ->required();
    cmd.add_option("--firm", options.firm, "A funeral director's firm (bookings of burials)");
    cmd.add_option("--ward", options.wards, "A councillor's ward code (repeat for several)");
    cmd.add_option("--team", options.teams,
                   "An officer's or supervisor's team: streetscene, bereavement, planning, "
                   "customer_services, housing (repeat for several)");
}

} // namespace

void add_users_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "users", "Add, list, disable people who sign in; set their role; reset a password");
    cmd->require_subcommand(1);
    auto options = std::make_shared<UserOptions>();

    auto* add = cmd->add_subcommand(
        "add", "Add a person (a password from WARDMAP_PASSWORD if set; else none until "
               "reset-password)");
    common.add_to(*add);
    add->add_option("email", options->email, "Their email address")->required();
    add->add_option("--name", options->name, "Their name")->required();
    add_role_options(*add, *options);
    add->callback([&common, &exit_code, options] {
        exit_code = run_guarded("users add", [&] {
            return with_accounts(common, [&](services::AccountService& accounts) {
                const auto grant = services::make_grant(
                    options->role, options->wards, options->teams,
                    options->firm.empty() ? std::nullopt : std::optional(options->firm));
                const auto person =
                    accounts.add(options->email, options->name, grant, new_password(false));
                std::cout << "added person " << person.id << " as " << describe(grant)
                          << (person.has_password ? "" : " (no password yet)") << "\n";
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* list = cmd->add_subcommand("list", "List people, their status and roles");
    common.add_to(*list);
    list->callback([&common, &exit_code] {
        exit_code = run_guarded("users list", [&] {
            return with_accounts(common, [](services::AccountService& accounts) {
                for (const auto& person : accounts.list()) {
                    std::string roles;
                    for (const auto& grant : person.grants) {
                        roles += (roles.empty() ? "" : " ") + describe(grant);
                    }
                    std::cout << person.email << "\t" << person.name << "\t"
                              << (person.active ? "active" : "disabled") << "\t"
                              << (roles.empty() ? "-" : roles) << "\n";
                }
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* disable =
        cmd->add_subcommand("disable", "Disable a person and end their sessions at once");
    common.add_to(*disable);
    disable->add_option("email", options->email, "Their email address")->required();
    disable->callback([&common, &exit_code, options] {
        exit_code = run_guarded("users disable", [&] {
            return with_accounts(common, [&](services::AccountService& accounts) {
                accounts.disable(options->email);
                std::cout << "disabled; their sessions have ended\n";
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* set_role = cmd->add_subcommand("set-role", "Replace a person's roles with this one");
    common.add_to(*set_role);
    set_role->add_option("email", options->email, "Their email address")->required();
    add_role_options(*set_role, *options);
    set_role->callback([&common, &exit_code, options] {
        exit_code = run_guarded("users set-role", [&] {
            return with_accounts(common, [&](services::AccountService& accounts) {
                const auto grant = services::make_grant(
                    options->role, options->wards, options->teams,
                    options->firm.empty() ? std::nullopt : std::optional(options->firm));
                accounts.set_role(options->email, grant);
                std::cout << "role set to " << describe(grant) << "\n";
                return static_cast<int>(exit_ok);
            });
        });
    });

    auto* reset = cmd->add_subcommand(
        "reset-password",
        "Set a person's password (from WARDMAP_PASSWORD or typed); ends their sessions");
    common.add_to(*reset);
    reset->add_option("email", options->email, "Their email address")->required();
    reset->callback([&common, &exit_code, options] {
        exit_code = run_guarded("users reset-password", [&] {
            return with_accounts(common, [&](services::AccountService& accounts) {
                accounts.reset_password(options->email, *new_password(true));
                std::cout << "password set; their sessions have ended\n";
                return static_cast<int>(exit_ok);
            });
        });
    });
}

} // namespace wardmap::cli
