#pragma once
// A value or an error, until std::expected (C++23) is available on our compilers.
// Used by the pure layers (modbus, codec) so they never throw on bad input.
#include <cassert>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace regpoll {

template <class E>
struct Unexpected {
    // A constructor, not an aggregate: clang 14 (make test-asan) has no parenthesized
    // aggregate initialisation, and `Unexpected<E>(e)` is written throughout.
    explicit Unexpected(E e) : error(std::move(e)) {}
    E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E = std::error_code>
class [[nodiscard]] Expected {
public:
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
    template <class G>
    Expected(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}  // NOLINT

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(v_); }
    const T& value() const& { assert(has_value()); return std::get<0>(v_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const { assert(!has_value()); return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

}  // namespace regpoll
