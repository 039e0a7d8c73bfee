// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tripline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tripline", targets: ["tripline"]),
        .library(name: "TriplineCore", targets: ["TriplineCore"]),
        .library(name: "TriplineIO", targets: ["TriplineIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // liblz4 from the system (Debian: liblz4-dev).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Hyperscan from the system (Debian: libhyperscan-dev): its literal matcher (FDR, Teddy)
        // searches the thousands of literals of the bundled rules in one pass.
        .systemLibrary(
            name: "CHyperscan",
            pkgConfig: "libhs",
            providers: [.apt(["libhyperscan-dev"])]
        ),
        // zlib from the system (Debian: zlib1g-dev), for .gz replay.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The AVX2 kernels, alone in a module built with -mavx2 so nothing else assumes AVX2;
        // TriplineCore calls them only after checking the CPU (scalar and portable twins beside).
        .target(
            name: "TriplineAVX2",
            swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2"])]
        ),
        // The AVX-512 kernels, alike: built with -mavx512bw, called only on CPUs that have it.
        .target(
            name: "TriplineAVX512",
            dependencies: ["TriplineAVX2"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-mavx512f", "-Xcc", "-mavx512bw"])]
        ),
        // Batches, framing, extraction, rules, alerts, spool: no sockets here.
        .target(
            name: "TriplineCore",
            dependencies: [
                "CLZ4",
                "CHyperscan",
                "TriplineAVX2",
                "TriplineAVX512",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Sources (files, archives, stdin, the Unix socket) and the staged pipeline.
        .target(
            name: "TriplineIO",
            dependencies: [
                "TriplineCore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "tripline",
            dependencies: [
                "TriplineCore",
                "TriplineIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets for hostile input (scripts/fuzz; seed corpus in Fuzz/Corpus). A normal
        // build makes small replayers (run inputs given as arguments through the fuzz function);
        // scripts/fuzz builds the libFuzzer binaries (`--sanitize fuzzer`, ASan, `-DFUZZING`).
        .target(name: "FuzzSupport", dependencies: ["TriplineCore"], path: "Fuzz/Support"),
        .executableTarget(name: "FuzzEQLParser", dependencies: ["FuzzSupport", "TriplineCore"], path: "Fuzz/FuzzEQLParser"),
        .executableTarget(name: "FuzzRegex", dependencies: ["FuzzSupport", "TriplineCore"], path: "Fuzz/FuzzRegex"),
        .executableTarget(name: "FuzzGrok", dependencies: ["FuzzSupport", "TriplineCore"], path: "Fuzz/FuzzGrok"),
        .executableTarget(name: "FuzzJSONLine", dependencies: ["FuzzSupport", "TriplineCore"], path: "Fuzz/FuzzJSONLine"),
        .executableTarget(name: "FuzzLineValidator", dependencies: ["FuzzSupport", "TriplineCore"], path: "Fuzz/FuzzLineValidator"),
        // Scratch folders the test targets share, removed when the test process exits.
        .target(name: "TestScratch", path: "Tests/TestScratch"),
        .testTarget(name: "TriplineCoreTests", dependencies: ["TriplineCore", "TestScratch"]),
        .testTarget(
            name: "TriplineIOTests",
            dependencies: [
                "TriplineIO", "TriplineCore", "tripline", "TestScratch", .product(name: "TOMLKit", package: "TOMLKit"),
                // Built for FuzzCorpusTests, which replays the seed corpus through them.
                "FuzzEQLParser", "FuzzRegex", "FuzzGrok", "FuzzJSONLine", "FuzzLineValidator",
            ]
        ),
    ]
)
