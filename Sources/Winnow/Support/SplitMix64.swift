/// SplitMix64 (Steele, Lea and Flood 2014): a small, seeded, deterministic generator,
/// for the package's tests and benchmarks and for generated inputs.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The state, advanced by the golden-ratio increment at each step.
  package var state: UInt64

  /// A generator whose first value follows from `seed`.
  package init(seed: UInt64) { state = seed }

  /// The next value: the state advanced, then spread by SplitMix64's finalizer.
  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return TokenizedText.mix(state)
  }
}
