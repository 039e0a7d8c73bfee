// swift-tools-version: 6.1
// Benchmarks for Tripline's hot paths, with package-benchmark (ordo-one). A separate package so
// the main build and CI do not compile the benchmark tooling.
//   cd Benchmarks && swift package benchmark            # all, with allocation counts
//   swift package benchmark --filter Prefilter
import PackageDescription

let package = Package(
    name: "TriplineBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tripline", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: ["Scanning", "Spool"].map(benchmark)
)

/// One benchmark executable per folder, on the library under test.
func benchmark(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "package-benchmark"),
            .product(name: "TriplineCore", package: "Tripline"),
        ],
        path: name,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    )
}
