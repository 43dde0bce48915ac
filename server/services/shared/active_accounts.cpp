#include "server/services/shared/active_accounts.hpp"

namespace wardmap::services {

std::int64_t count_active_accounts(store::Database& db, core::UnixSeconds now) {
    auto st = db.prepare_cached("SELECT count(*) FROM resident_accounts WHERE last_seen_at >= ?1");
    st.bind(1, core::format_utc(now - static_cast<core::UnixSeconds>(active_account_days) * 86400));
    return st.step() ? st.int64(0) : 0;
}

} // namespace wardmap::services
