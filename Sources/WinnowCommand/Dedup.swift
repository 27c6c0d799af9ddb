import ArgumentParser
import Foundation
import Winnow
import WinnowCorpus

struct Dedup: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Remove duplicate documents and paragraphs seen in earlier documents, keeping the first copy.",
    discussion: """
      Reads inputs as 'winnow clean' does (see 'winnow clean --help') and writes the documents that stay, in input order, without the paragraphs that earlier documents hold. Nothing else is changed: text is not normalized and repeats inside a document stay.

      Documents are compared through their tokens: case, diacritics, Unicode normalization, punctuation and whitespace do not count. A document whose tokens equal an earlier document's is an exact duplicate. A document is a near duplicate of an earlier kept one when their MinHash estimate of Jaccard similarity (over shingles of --near-shingle tokens) reaches --near-threshold and the kept one holds all of it except scattered edits: no run of more than --near-max-new-tokens consecutive tokens of the document is left uncovered by the shingles they share. With the defaults (3-token shingles, 0.4, 12 tokens) a copy with 5% or 10% of its words changed is dropped, and a document that adds a sentence of its own to most of another is kept. Candidates come from locality-sensitive hashing (--bands bands of --rows bins of the --signature-size); the most similar are checked first. A paragraph (a non-blank line) of at least --min-paragraph-words words that an earlier kept document holds is removed. The first copy is kept; the result is the same for any --threads.

      With --boilerplate N, the inputs are read twice: first to count in how many documents each line occurs, then to remove every copy of the lines found in N or more documents, before the rest. With --index, what was seen is kept for the next run (--index-mode read only reads it).

      --explain writes one JSON line per document: "duplicateOf" (the kept document's id, "exact" or "near", the similarity, the share of the document the kept one covers and the longest run it lacks) for a dropped document, "removedParagraphs" (span in the document, kept document's id, text) for a kept one, "nearCandidate" for a kept one that was checked as a near copy and holds text of its own, and with --boilerplate, "boilerplate" (span, documents holding the line).

      Examples (from the repository root):
        winnow dedup Examples/Corpus/pages.jsonl -o /tmp/d.jsonl --explain /tmp/e
        winnow dedup Examples/Corpus --output-dir /tmp/u --no-repeated-paragraphs
        winnow dedup Examples/Corpus/pages.jsonl --boilerplate 2 --index /tmp/p.idx
        winnow dedup Examples/Corpus/pages.jsonl --index /tmp/p.idx --index-mode read
      """
  )

  @OptionGroup var corpus: CorpusFlags
  @OptionGroup var dedup: DedupFlags

  @Option(help: "Write one JSON line per document describing what deduplication did.")
  var explain: String?

  func run() throws {
    let cleaner = DocumentCleaner(normalization: nil, repeats: nil, deduplication: dedup.options)
    try dedup.run(corpus, cleaning: cleaner, explain: explain, members: [])
  }
}
