#include "server/services/access/access.hpp"

#include <algorithm>
#include <utility>

namespace wardmap::services {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> role_names = {{
    {Role::councillor, "councillor"},
    {Role::officer, "officer"},
    {Role::supervisor, "supervisor"},
    {Role::admin, "admin"},
    {Role::funeral_director, "funeral_director"},
}};

constexpr std::array<std::pair<Team, std::string_view>, 5> team_names = {{
    {Team::streetscene, "streetscene"},
    {Team::bereavement, "bereavement"},
    {Team::planning, "planning"},
    {Team::customer_services, "customer_services"},
    {Team::housing, "housing"},
}};

constexpr std::array<std::pair<Permission, std::string_view>, 20> permission_names = {{
    {Permission::request_create, "request_create"},
    {Permission::request_update, "request_update"},
    {Permission::request_contact_read, "request_contact_read"},
    {Permission::catalogue_manage, "catalogue_manage"},
    {Permission::ward_read, "ward_read"},
    {Permission::accounts_manage, "accounts_manage"},
    {Permission::keys_manage, "keys_manage"},
    {Permission::audit_read, "audit_read"},
    {Permission::crew_work, "crew_work"},
    {Permission::crew_supervise, "crew_supervise"},
    {Permission::photo_upload, "photo_upload"},
    {Permission::rounds_manage, "rounds_manage"},
    {Permission::job_manage, "job_manage"},
    {Permission::housing_read, "housing_read"},
    {Permission::housing_manage, "housing_manage"},
    {Permission::housing_owner_read, "housing_owner_read"},
    {Permission::burial_read, "burial_read"},
    {Permission::burial_record, "burial_record"},
    {Permission::burial_book, "burial_book"},
    {Permission::councillor_act, "councillor_act"},
}};
static_assert(permission_names.size() == all_permissions.size());

/// THE permission table: every (grantee, permission) pair that is granted, before scope.
/// docs/permissions.md is written from it and a unit test keeps the two in step.
constexpr std::pair<Grantee, Permission> granted[] = {
    {Grantee::admin, Permission::accounts_manage},
    {Grantee::admin, Permission::keys_manage},
    {Grantee::admin, Permission::catalogue_manage},
    {Grantee::admin, Permission::audit_read},
    {Grantee::admin, Permission::ward_read},
    {Grantee::admin, Permission::request_update},
    {Grantee::admin, Permission::request_contact_read},
    {Grantee::admin, Permission::crew_work},
    {Grantee::admin, Permission::crew_supervise},
    {Grantee::admin, Permission::photo_upload},
    {Grantee::admin, Permission::rounds_manage},
    {Grantee::admin, Permission::job_manage},
    {Grantee::admin, Permission::burial_read},
    {Grantee::admin, Permission::burial_record},
    {Grantee::customer_services_staff, Permission::request_update},
    {Grantee::customer_services_staff, Permission::request_contact_read},
    {Grantee::customer_services_staff, Permission::ward_read},
    // Streetscene: officers work in crews (a crew's day is its members' only: CrewService
    // checks membership); supervisors also plan the work (rounds, their rules and stops),
    // assign it and see every crew's progress.
    {Grantee::streetscene_officer, Permission::ward_read},
    {Grantee::streetscene_officer, Permission::crew_work},
    {Grantee::streetscene_officer, Permission::photo_upload},
    {Grantee::streetscene_officer, Permission::job_manage},
    {Grantee::streetscene_supervisor, Permission::ward_read},
    {Grantee::streetscene_supervisor, Permission::crew_work},
    {Grantee::streetscene_supervisor, Permission::crew_supervise},
    {Grantee::streetscene_supervisor, Permission::photo_upload},
    {Grantee::streetscene_supervisor, Permission::rounds_manage},
    {Grantee::streetscene_supervisor, Permission::job_manage},
    // The empty-property register is the housing team's; its owners' details are theirs alone
    // (not an admin's: reference/domain.md §2.7, issue #18).
    {Grantee::admin, Permission::housing_read},
    {Grantee::admin, Permission::housing_manage},
    {Grantee::housing_staff, Permission::housing_read},
    {Grantee::housing_staff, Permission::housing_manage},
    {Grantee::housing_staff, Permission::housing_owner_read},
    {Grantee::housing_staff, Permission::ward_read},
    // The burial register is bereavement's: holders' details are audited per read.
    {Grantee::bereavement_staff, Permission::ward_read},
    {Grantee::bereavement_staff, Permission::burial_read},
    {Grantee::bereavement_staff, Permission::burial_record},
    // Bookings of burials: a funeral director requests, sees and withdraws its own firm's
    // (BookingService scopes them by firm) and nothing else; bereavement sees and decides all.
    {Grantee::funeral_director, Permission::burial_book},
    {Grantee::bereavement_staff, Permission::burial_book},
    {Grantee::admin, Permission::burial_book},
    // Other teams' own domains (planning, ...) add theirs later.
    {Grantee::other_team_staff, Permission::ward_read},
    {Grantee::councillor, Permission::ward_read},
    // Follow, note, raise on a resident's behalf: councillors only (CouncillorActions checks
    // that the request or the point is in one of their wards).
    {Grantee::councillor, Permission::councillor_act},
    {Grantee::client_key, Permission::request_create},
    {Grantee::client_key, Permission::photo_upload},
    {Grantee::staff_key, Permission::request_create},
    {Grantee::staff_key, Permission::photo_upload},
    {Grantee::staff_key, Permission::crew_work},
    {Grantee::staff_key, Permission::job_manage},
    {Grantee::staff_key, Permission::request_update},
    {Grantee::staff_key, Permission::catalogue_manage},
};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
    for (const auto& [e, name] : names) {
        if (e == value) {
            return name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                               std::string_view text) {
    for (const auto& [e, name] : names) {
        if (name == text) {
            return e;
        }
    }
    return std::nullopt;
}

template <typename T> bool contains(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

bool grant_allows(const RoleGrant& grant, Permission permission, const Scope& scope) {
    switch (grant.role) {
    case Role::admin:
        return grantee_holds(Grantee::admin, permission);
    case Role::councillor:
        // A councillor's ward_read reaches only their own wards; a check made with no ward
        // (a list of "my wards") is left to the route, which lists only theirs.
        return grantee_holds(Grantee::councillor, permission) &&
               (!scope.ward || contains(grant.wards, *scope.ward));
    case Role::funeral_director:
        return grant.firm.has_value() && grantee_holds(Grantee::funeral_director, permission);
    case Role::officer:
    case Role::supervisor:
        for (const Team team : grant.teams) {
            if (scope.team && *scope.team != team) {
                continue;
            }
            Grantee grantee = Grantee::other_team_staff;
            if (team == Team::customer_services) {
                grantee = Grantee::customer_services_staff;
            } else if (team == Team::streetscene) {
                grantee = grant.role == Role::supervisor ? Grantee::streetscene_supervisor
                                                         : Grantee::streetscene_officer;
            } else if (team == Team::housing) {
                grantee = Grantee::housing_staff;
            } else if (team == Team::bereavement) {
                grantee = Grantee::bereavement_staff;
            }
            if (grantee_holds(grantee, permission)) {
                return true;
            }
        }
        return false;
    }
    return false;
}

} // namespace

std::string_view role_name(Role role) {
    return name_of(role_names, role);
}
std::optional<Role> parse_role(std::string_view name) {
    return parse_name(role_names, name);
}
std::string_view team_name(Team team) {
    return name_of(team_names, team);
}
std::optional<Team> parse_team(std::string_view name) {
    return parse_name(team_names, name);
}
std::string_view permission_name(Permission permission) {
    return name_of(permission_names, permission);
}
std::optional<Permission> parse_permission(std::string_view name) {
    return parse_name(permission_names, name);
}

std::string_view grantee_name(Grantee grantee) {
    switch (grantee) {
    case Grantee::admin:
        return "admin";
    case Grantee::customer_services_staff:
        return "officer/supervisor (customer_services)";
    case Grantee::streetscene_officer:
        return "officer (streetscene)";
    case Grantee::streetscene_supervisor:
        return "supervisor (streetscene)";
    case Grantee::housing_staff:
        return "officer/supervisor (housing)";
    case Grantee::bereavement_staff:
        return "officer/supervisor (bereavement)";
    case Grantee::other_team_staff:
        return "officer/supervisor (other teams)";
    case Grantee::councillor:
        return "councillor";
    case Grantee::funeral_director:
        return "funeral director (own firm)";
    case Grantee::client_key:
        return "API key: client";
    case Grantee::staff_key:
        return "API key: staff";
    }
    return "unknown";
}

bool grantee_holds(Grantee grantee, Permission permission) {
    return std::any_of(std::begin(granted), std::end(granted), [&](const auto& row) {
        return row.first == grantee && row.second == permission;
    });
}

bool an_api_key_may_hold(Permission permission) {
    return grantee_holds(Grantee::client_key, permission) ||
           grantee_holds(Grantee::staff_key, permission);
}

bool allows(const Principal& who, Permission permission, const Scope& scope) {
    switch (who.kind) {
    case Principal::Kind::anonymous:
        return false;
    case Principal::Kind::api_key:
        if (who.key_role == "staff") {
            return grantee_holds(Grantee::staff_key, permission);
        }
        if (who.key_role == "client") {
            return grantee_holds(Grantee::client_key, permission);
        }
        return false;
    case Principal::Kind::person:
        return std::any_of(who.grants.begin(), who.grants.end(), [&](const RoleGrant& grant) {
            return grant_allows(grant, permission, scope);
        });
    }
    return false;
}

} // namespace wardmap::services
