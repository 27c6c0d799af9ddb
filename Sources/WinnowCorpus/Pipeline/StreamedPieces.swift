import Synchronization
import Winnow

/// The pieces of one large text, normalized on the workers in any order and committed
/// by the writer in order, with the output of normalizing them in turn
/// (``NormalizationStream``).
///
/// A piece carries what crosses from the pieces before it (the mojibake repair's
/// state). A worker cannot know it before those pieces are done, so it normalizes from
/// the state committed when the piece was read: right unless a repair changed the
/// state since (text without mojibake never does). The writer checks each piece
/// against the state the pieces before it really left, and normalizes it again, in
/// order, when the guess was wrong. The output does not depend on the threads.
package final class StreamedPieces: Sendable {
  package let normalizer: TextNormalizer
  /// The state after the pieces committed so far.
  private let committed = Mutex(NormalizationStream.State.start)

  /// The pieces of one text normalized by `normalizer`.
  package init(_ normalizer: TextNormalizer) {
    self.normalizer = normalizer
  }

  /// One piece of the text, cut by a ``NormalizationStream``.
  package struct Piece: Sendable {
    package let owner: StreamedPieces
    package let bytes: [UInt8]
    /// The state it is (to be) normalized from, and its output and the state after.
    fileprivate var guess: NormalizationStream.State
    fileprivate var result: (output: [UInt8], after: NormalizationStream.State)?

    /// Normalizes the piece from the guessed state (on a worker).
    package mutating func normalize() {
      result = Self.normalize(bytes, by: owner.normalizer, from: guess)
    }

    /// The piece's output, once every piece before it is committed (on the writer):
    /// normalized again from the state they left when the guess gives another output.
    package mutating func commit() -> [UInt8] {
      let state = owner.committed.withLock { $0 }
      if result == nil || !guess.givesTheSamePiece(as: state, after: result!.after) {
        guess = state
        normalize()
      }
      let (output, after) = result!
      // A piece that changed nothing of the state leaves the state it met.
      let next = after == guess ? state : after
      owner.committed.withLock { $0 = next }
      return output
    }

    private static func normalize(
      _ bytes: [UInt8], by normalizer: TextNormalizer, from state: NormalizationStream.State
    ) -> (output: [UInt8], after: NormalizationStream.State) {
      let (text, after) = bytes.withUnsafeBufferPointer {
        NormalizationStream.normalize(piece: $0, by: normalizer, from: state)
      }
      return (text.utf8, after)
    }
  }

  /// A piece of the text, to be normalized from the state committed so far.
  package func piece(_ bytes: [UInt8]) -> Piece {
    Piece(owner: self, bytes: bytes, guess: committed.withLock { $0 }, result: nil)
  }
}
