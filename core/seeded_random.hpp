#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

namespace wardmap::core {

/// xoshiro256** seeded through splitmix64. Our own, because std:: distributions may give
/// different numbers on another standard library, and the demo borough and its history must be
/// reproducible anywhere.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) {
        for (auto& s : m_state) {
            s = splitmix64(seed);
        }
    }

    /// An independent stream for one part of the demo, so changing how many numbers one
    /// generator draws does not reshuffle every other part.
    [[nodiscard]] Rng fork(std::uint64_t stream) const {
        std::uint64_t x = m_state[0] ^ (stream * 0xD1B54A32D192ED03ULL);
        return Rng(splitmix64(x));
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [lo, hi].
    int range(int lo, int hi) {
        return lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
    }
    bool chance(double p) { return uniform() < p; }
    /// Exponential with the given mean: the skewed waits and durations of real casework.
    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
    /// Index drawn with probability proportional to its weight.
    std::size_t weighted(std::span<const double> weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double x = uniform() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.size() - 1;
    }
    /// Uniform index in [0, n).
    std::size_t index(std::size_t n) {
        return static_cast<std::size_t>(uniform() * static_cast<double>(n));
    }
    template <class Container> const auto& pick(const Container& items) {
        return items[index(std::size(items))];
    }

  private:
    static std::uint64_t splitmix64(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t m_state[4] = {};
};

} // namespace wardmap::core
