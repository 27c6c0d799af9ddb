// swift-tools-version:6.1
import PackageDescription

// An example of the library: cleans a JSON Lines corpus in parallel through
// WinnowCorpus. Build and run it from this folder:
//   swift run clean-corpus ../pages.jsonl /tmp/pages-clean.jsonl
let package = Package(
  name: "CleanCorpus",
  dependencies: [.package(name: "Winnow", path: "../..")],
  targets: [
    .executableTarget(
      name: "clean-corpus",
      dependencies: [.product(name: "Winnow", package: "Winnow"), .product(name: "WinnowCorpus", package: "Winnow")])
  ]
)
