import ArgumentParser

@main
struct WinnowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "winnow",
    abstract: "Clean scraped text corpora: normalize text through ICU and report every edit.",
    discussion: """
      Data goes to standard output, diagnostics and the summary to standard error. Exit status: 0 success, 1 failure, 2 an input could not be read, 64 usage error, 130 and 143 interrupted.
      """,
    version: "0.1.0",
    subcommands: [
      Clean.self, Normalize.self, Repeats.self, Dedup.self, Index.self, ExplainText.self, Fingerprint.self, Decide.self,
      Apply.self,
    ]
  )
}
