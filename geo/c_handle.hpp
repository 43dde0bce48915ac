#pragma once

#include <memory>

namespace wardmap::geo {

/// Stateless deleter calling a C library's free function; lets std::unique_ptr own a C handle.
template <auto Fn> struct CDeleter {
    template <class T> void operator()(T* p) const noexcept {
        if (p) {
            Fn(p);
        }
    }
};

/// The one owner type for a C handle freed by `Fn`.
template <class T, auto Fn> using CHandle = std::unique_ptr<T, CDeleter<Fn>>;

} // namespace wardmap::geo
