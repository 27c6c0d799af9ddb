// swift-tools-version:6.1
import PackageDescription

// One set of Swift settings for every Swift target: Swift 6 language mode is the
// default for tools 6.1; `MemberImportVisibility` keeps imports honest.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "Winnow",
  products: [
    .library(name: "Winnow", targets: ["Winnow"]),
    .library(name: "WinnowCorpus", targets: ["WinnowCorpus"]),
    .executable(name: "winnow", targets: ["WinnowCommand"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // The system ICU (libicu-dev / icu4c), located with pkg-config. Its module map
    // exposes no ICU header: ICU's C declarations must never meet Foundation's
    // bundled ICU in a Swift module, so only the C shim below includes them.
    .systemLibrary(
      name: "CICU",
      pkgConfig: "icu-uc icu-i18n",
      providers: [.apt(["libicu-dev"]), .brew(["icu4c"])]
    ),
    // C wrappers over ICU whose public header uses only <stdint.h> types.
    .target(
      name: "CWinnowICU",
      dependencies: ["CICU"],
      linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]
    ),
    // C wrappers over ISA-L (libisal), libzstd, libbz2 and liblzma whose public header
    // uses only <stdint.h> and <stddef.h> types: streaming gzip, zstd, bzip2 and xz.
    .target(
      name: "CWinnowCompression",
      linkerSettings: [
        .linkedLibrary("isal"), .linkedLibrary("zstd"), .linkedLibrary("bz2"), .linkedLibrary("lzma"),
      ]
    ),
    // The tokenizer's SIMD kernel (SSE2, or a portable loop): plain C, no dependencies.
    .target(name: "CWinnowKernels"),
    // Corpora: JSON Lines and WARC records, and the ordered parallel pipeline.
    .target(name: "WinnowCorpus", dependencies: ["Winnow", "CWinnowKernels"], swiftSettings: swiftSettings),
    .target(
      name: "Winnow",
      dependencies: ["CWinnowICU", "CWinnowKernels"],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "WinnowCommand",
      dependencies: [
        "Winnow",
        "WinnowCorpus",
        "CWinnowKernels",
        "CWinnowCompression",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "winnow-bench",
      dependencies: ["Winnow", "CWinnowICU", "CWinnowKernels"],
      path: "Benchmarks/Tools/WinnowBench",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "WinnowTests",
      dependencies: ["Winnow", "WinnowCommand"],
      resources: [.copy("Resources")],
      swiftSettings: swiftSettings
    ),
  ]
)

// The package-benchmark suite (ordo-one/benchmark), only when asked for, so that the
// library's users never resolve it: WINNOW_BENCHMARKS=1 swift package benchmark
if Context.environment["WINNOW_BENCHMARKS"] != nil {
  package.dependencies.append(
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
  package.targets.append(
    .executableTarget(
      name: "WinnowBenchmarks",
      dependencies: ["Winnow", "WinnowCorpus", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/WinnowBenchmarks",
      swiftSettings: swiftSettings,
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ))
}

// The DocC plugin, only when asked for, so that the library's users never resolve it:
// WINNOW_DOCS=1 swift package generate-documentation --target Winnow
if Context.environment["WINNOW_DOCS"] != nil {
  package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}

// libFuzzer targets, only when asked for: they have no `main` of their own (libFuzzer
// brings it), so they build only with --sanitize=fuzzer. See Tests/Fuzz/run.sh.
if Context.environment["WINNOW_FUZZ"] != nil {
  for (name, dependency) in [
    ("Normalizer", "Winnow"), ("Repeats", "Winnow"), ("JSONLines", "WinnowCorpus"), ("Index", "Winnow"),
  ] {
    package.targets.append(
      .executableTarget(
        name: "fuzz-\(name.lowercased())",
        dependencies: [.target(name: dependency)],
        path: "Tests/Fuzz/\(name)",
        swiftSettings: swiftSettings
      ))
  }
}
