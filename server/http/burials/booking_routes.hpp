#pragma once

#include "server/http/router.hpp"
#include "server/services/burials/booking_service.hpp"

namespace wardmap::http {

/// Bookings of burials (docs/burials.md "Bookings", docs/http-api.md "Burials"):
///   GET  /api/burials/slots?cemetery=&date=             (burial_book) the day's slots
///   POST /api/burials/bookings                          (burial_book) 201 {"id"}
///   GET  /api/burials/bookings[?date=&status=]          (burial_book) a firm's own; staff all
///   GET  /api/burials/bookings/:id                      (burial_book)
///   POST /api/burials/bookings/:id/documents            (burial_book) multipart kind + file
///   GET  /api/burials/bookings/:id/documents/:doc       (burial_book) the file
///   POST /api/burials/bookings/:id/withdraw             (burial_book)
///   POST /api/burials/bookings/:id/confirm              (burial_record) {grave_id?, crew?}
///   POST /api/burials/bookings/:id/refuse               (burial_record) {reason}
/// A funeral director sees only their firm's bookings (another's answer 404).
void add_booking_routes(Router& router, services::BookingService& bookings);

} // namespace wardmap::http
