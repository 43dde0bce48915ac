#pragma once

// The permission model every route and every caller share: who is calling (Principal), what
// a role grants (Permission), and what each route requires (RouteAccess). People sign in
// (password, OpenID Connect, an emailed link) and get a session; machine clients keep API
// keys; both resolve to a Principal and are checked against the same table.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

enum class Role { councillor, officer, supervisor, admin, funeral_director };
enum class Team { streetscene, bereavement, planning, customer_services, housing };

/// "councillor", "officer", ...; and back (nullopt for an unknown name).
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);
/// "streetscene", "bereavement", "planning", "customer_services", "housing"; and back.
std::string_view team_name(Team team);
std::optional<Team> parse_team(std::string_view name);

/// One role held by a person, with its scope: a councillor's wards (ONS codes), an officer's
/// or supervisor's teams, a funeral director's firm (an outside account: bookings of burials,
/// docs/burials.md "Bookings"). An admin's grant has no scope.
struct RoleGrant {
    Role role = Role::officer;
    std::vector<std::string> wards;
    std::vector<Team> teams;
    std::optional<std::string> firm = std::nullopt;
};

/// What a caller may do. Each route requires one; roles and API keys grant them
/// (access.cpp holds the one table; docs/permissions.md is written from it).
enum class Permission {
    request_create,       ///< Open311 POST requests (client and staff API keys)
    request_update,       ///< staff status changes and notes (servicerequestupdates POST)
    request_contact_read, ///< a reporter's name, email, phone: audited
    catalogue_manage,     ///< the staff catalogue API (/api/services)
    ward_read,            ///< a ward's staff views (MyWard); scoped by ward
    accounts_manage,      ///< people, roles, sessions of others
    keys_manage,          ///< API keys
    audit_read,           ///< GET /api/audit and its CSV export
    crew_work,            ///< a crew's day and completions (membership checked by the service)
    crew_supervise,       ///< assignments of visits and rounds, the day's progress of every crew
    photo_upload,         ///< POST /api/photos
    rounds_manage,        ///< streetscene rounds: create and edit them, their history
    job_manage,     ///< streetscene jobs made from requests, their closing, bins' emptying reviews
    housing_read,   ///< the empty-property register, its map and due lists (housing)
    housing_manage, ///< register, update, status changes, inspections (housing)
    housing_owner_read, ///< empty properties' owner contact details: audited (housing only)
    burial_read,        ///< a grave's register entries, grants and holders: audited
    burial_record,      ///< interments, grants and their events, status overrides
    burial_book,        ///< bookings of burials: a funeral director's own firm's; bereavement's all
    /// A councillor's actions on requests of their own wards: follow, notes, raising one on a
    /// resident's behalf (the service checks the request's or the point's ward)
    councillor_act,
};
std::string_view permission_name(Permission permission);

/// Who is calling. Anonymous callers (residents) have no id.
struct Principal {
    enum class Kind { anonymous, person, api_key };
    Kind kind = Kind::anonymous;
    std::int64_t id = 0;                 ///< person id or api key id
    std::string name;                    ///< person's name or key's name, for audit and "who"
    std::vector<RoleGrant> grants;       ///< a person's roles
    std::optional<std::string> key_role; ///< "client" or "staff" for an API key
    /// Authenticated by a session cookie: state changes need the CSRF token too.
    bool via_cookie = false;
    std::string session_id; ///< the session's public id (never the token), for sign-out

    [[nodiscard]] bool signed_in() const { return kind == Kind::person; }
};

/// The scope a check is made in: the ward or team the data belongs to, when it has one.
struct Scope {
    std::optional<std::string> ward;
    std::optional<Team> team;
};

/// The columns of the one permission table (access.cpp; docs/permissions.md shows it): the
/// kinds of caller that hold permissions, before scope is applied.
enum class Grantee {
    admin,
    customer_services_staff, ///< an officer or supervisor of customer_services
    streetscene_officer,     ///< an officer of streetscene (crews' members)
    streetscene_supervisor,  ///< a supervisor of streetscene
    housing_staff,           ///< an officer or supervisor of housing
    bereavement_staff,       ///< an officer or supervisor of bereavement (the burial register)
    other_team_staff,        ///< an officer or supervisor of any other team
    councillor,              ///< ward_read for their own wards only
    funeral_director,        ///< an outside firm's account: burial_book for its own bookings
    client_key,              ///< an API key with role client
    staff_key,               ///< an API key with role staff
};
inline constexpr std::array all_grantees = {Grantee::admin,
                                            Grantee::customer_services_staff,
                                            Grantee::streetscene_officer,
                                            Grantee::streetscene_supervisor,
                                            Grantee::housing_staff,
                                            Grantee::bereavement_staff,
                                            Grantee::other_team_staff,
                                            Grantee::councillor,
                                            Grantee::funeral_director,
                                            Grantee::client_key,
                                            Grantee::staff_key};
inline constexpr std::array all_permissions = {
    Permission::request_create,     Permission::request_update, Permission::request_contact_read,
    Permission::catalogue_manage,   Permission::ward_read,      Permission::accounts_manage,
    Permission::keys_manage,        Permission::audit_read,     Permission::crew_work,
    Permission::crew_supervise,     Permission::photo_upload,   Permission::rounds_manage,
    Permission::job_manage,         Permission::housing_read,   Permission::housing_manage,
    Permission::housing_owner_read, Permission::burial_read,    Permission::burial_record,
    Permission::burial_book,        Permission::councillor_act};
/// "admin", "officer/supervisor (customer_services)", ... as docs/permissions.md heads them.
std::string_view grantee_name(Grantee grantee);
/// The table itself, without scope.
[[nodiscard]] bool grantee_holds(Grantee grantee, Permission permission);
/// Whether a client or staff API key may hold `permission`: a call without credentials is then
/// 403 (a missing api_key, as Open311 answers it) rather than 401 (sign in).
[[nodiscard]] bool an_api_key_may_hold(Permission permission);
std::optional<Permission> parse_permission(std::string_view name);

/// True when `who` holds `permission` in `scope`: a councillor's ward_read only for their own
/// wards; an officer's or supervisor's permissions only for their teams' data (when the scope
/// names a team); staff (officers, supervisors, admins) may read any ward.
[[nodiscard]] bool allows(const Principal& who, Permission permission, const Scope& scope = {});

/// What a route requires, declared where the route is registered. `unset` only exists so
/// the permission-matrix test can find a route that forgot to declare.
struct RouteAccess {
    enum class Kind {
        unset,
        public_route,   ///< anyone, no credentials (residents, open data)
        resident_token, ///< anyone holding the private token in the path (tracking, my reports)
        signed_in,      ///< any signed-in person (GET /api/me, sign-out)
        permission,     ///< a person or key holding `permission`
        /// A resident signed in to My Account (its own cookie and sessions; never a
        /// Principal, so it passes no staff check). The handler resolves it: 401 without one.
        resident_session,
    };
    Kind kind = Kind::unset;
    Permission permission = Permission::audit_read;
    /// The route parameter naming the ward the permission is scoped to (MyWard's ":code").
    std::optional<std::string> ward_param;

    static RouteAccess public_route() { return {Kind::public_route, {}, {}}; }
    static RouteAccess resident_token() { return {Kind::resident_token, {}, {}}; }
    static RouteAccess signed_in() { return {Kind::signed_in, {}, {}}; }
    static RouteAccess resident_session() { return {Kind::resident_session, {}, {}}; }
    static RouteAccess needs(Permission p) { return {Kind::permission, p, {}}; }
    static RouteAccess needs_in_ward(Permission p, std::string param) {
        return {Kind::permission, p, std::move(param)};
    }
};

} // namespace wardmap::services
