#pragma once

#include "geo/c_handle.hpp"

#include <proj.h>

#include <filesystem>
#include <string>
#include <vector>

namespace wardmap::geo {

/// Owns a PJ_CONTEXT. A context, and every PJ made in it, may be used by one thread at a time.
using ProjContextPtr = CHandle<PJ_CONTEXT, &proj_context_destroy>;
/// Owns a PJ. Declare it after the ProjContextPtr it was made in so it is destroyed first.
using ProjPtr = CHandle<PJ, &proj_destroy>;

/// A new context with network access and logging off (errors reach callers as GeoError instead).
/// Non-empty `search_paths` replace PROJ's list; keep the directory holding proj.db in it.
/// Throws GeoError if PROJ cannot allocate a context.
ProjContextPtr make_proj_context(const std::vector<std::filesystem::path>& search_paths = {});

/// The calling thread's PROJ context with PROJ's default settings, created on first use and
/// destroyed at thread exit. Never hand it, or a PJ made in it, to another thread.
PJ_CONTEXT* this_thread_proj_context();

/// PROJ's default search path as PROJ itself builds it (read afresh on each call): its
/// user-writable directory, then $PROJ_DATA (else the deprecated $PROJ_LIB) when set, else the
/// system directory that holds proj.db.
std::vector<std::filesystem::path> default_proj_search_paths();

/// PROJ's text for error code `err` (from proj_errno), never null.
std::string proj_error_message(PJ_CONTEXT* ctx, int err);

} // namespace wardmap::geo
