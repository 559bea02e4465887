// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way:
// DenseServer → {InferenceService → {DenseKernel, TensorJSON, HTTPCore, GRPCCore, GzipCodec, CSHA256}, HTTPServer → {HTTPCore, GzipCodec, CNghttp2}};
// KerasFile → CZlib; DenseBench → DenseBLAS → {DenseKernel, CBLAS (OpenBLAS)}. GRPCCore (gRPC framing and the protobuf messages DenseServe serves) is pure.
// The API layer knows nothing of sockets: it takes HTTPCore's request as HTTPServer parsed it
// and answers HTTPCore's response; the executable only hands one to the other.
// Metrics: InferenceService emits through the swift-metrics API (CoreMetrics) and knows no
// backend; only DenseServer depends on swift-prometheus and bootstraps it once.
let package = Package(
    name: "DenseServe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dense-server", targets: ["DenseServer"]),
        .executable(name: "dense-bench", targets: ["DenseBench"]),
        .executable(name: "http-bench-server", targets: ["HTTPBenchServer"]),
        // libFuzzer targets (Fuzz/run-dense-fuzz.sh); an ordinary build is a corpus replayer.
        .executable(name: "dense-fuzz", targets: ["DenseFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // The batch-invariant GEMM (C: AVX-512 / AVX2 / scalar chosen at run time). -O3 in every
        // configuration, so debug test runs are not 50× slower; no -march (one portable binary);
        // no FP contraction, so only the written FMAs are fused.
        .target(name: "CDenseGEMM", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(name: "DenseKernel", dependencies: ["CDenseGEMM", .product(name: "RealModule", package: "swift-numerics")]),
        // OpenBLAS for the benchmarks (the baseline) and its core selection; the server does not
        // link it (no forward pass calls BLAS).
        .target(name: "DenseBLAS", dependencies: ["DenseKernel", "CBLAS", "CDenseGEMM"]),
        .target(name: "TensorJSON"),
        // SHA-256 block compression for the weights digest (C: SHA-NI or portable, chosen at run
        // time); -O3 in every configuration, like CDenseGEMM.
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O3"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "HTTPCore"),
        // Keras model files (.keras zip, legacy .h5, .weights.h5): a pure, strict format reader.
        .target(name: "KerasFile", dependencies: ["CZlib"]),
        .systemLibrary(
            name: "CNghttp2", path: "Sources/CNghttp2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        // gRPC: a strict, slice-based protobuf reader/writer for the KServe V2 / Triton / health
        // messages, message framing, grpc-timeout, grpc-message. No Foundation, no dependency.
        .target(name: "GRPCCore"),
        // gzip through zlib, for HTTP bodies and gRPC messages alike.
        .target(name: "GzipCodec", dependencies: ["CZlib"]),
        .target(name: "HTTPServer", dependencies: ["HTTPCore", "CZlib", "GzipCodec", "CNghttp2"]),
        // Resources/: the OpenAPI document and the page at /, embedded in the binary as bytes
        // (PackageResources), so it serves them with no file next to it.
        .target(
            name: "InferenceService",
            dependencies: [
                "DenseKernel", "TensorJSON", "HTTPCore", "KerasFile", "GRPCCore", "GzipCodec", "CSHA256",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.embedInCode("Resources/openapi.yaml"), .embedInCode("Resources/index.html")]),
        .executableTarget(
            name: "DenseServer",
            dependencies: [
                "InferenceService", "HTTPServer", "GRPCCore", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "HTTPBenchServer", dependencies: ["HTTPServer"]),
        .executableTarget(name: "DenseFuzz", dependencies: ["InferenceService", "HTTPServer", "KerasFile", "GRPCCore"]),
        .executableTarget(
            name: "DenseBench", dependencies: ["DenseKernel", "DenseBLAS", "TensorJSON", "InferenceService", "KerasFile", "GRPCCore", "CSHA256"]),
        // Helpers more than one test target needs: seeded generators, tolerances, a raw HTTP
        // client, bounded tool runs, the repository's paths. No Testing; DenseKernel for SplitMix64.
        .target(name: "TestSupport", dependencies: ["DenseKernel"], path: "Tests/TestSupport"),
        .testTarget(name: "DenseKernelTests", dependencies: ["DenseKernel", "TestSupport"]),
        .testTarget(name: "DenseBLASTests", dependencies: ["DenseBLAS", "DenseKernel"]),
        .testTarget(name: "TensorJSONTests", dependencies: ["TensorJSON", "TestSupport"]),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        // Fixtures made by real Keras (Fixtures/make_keras_fixtures.py), read through #filePath.
        .testTarget(name: "KerasFileTests", dependencies: ["KerasFile", "TensorJSON", "TestSupport"], exclude: ["Fixtures"]),
        // Golden messages serialized by real protobuf (Fixtures/make_golden.py), read through #filePath.
        .testTarget(name: "GRPCCoreTests", dependencies: ["GRPCCore", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPCore", "GzipCodec", "CZlib", "CNghttp2", "TestSupport"]),
        // Fixtures/store-v1: model store files an earlier release wrote (read through #filePath).
        .testTarget(
            name: "InferenceServiceTests",
            dependencies: [
                "InferenceService", "DenseKernel", "TensorJSON", "HTTPCore", "GRPCCore", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: ["DenseServer", "TestSupport"]),
        .testTarget(
            name: "ConformanceTests", dependencies: ["InferenceService", "DenseKernel", "TensorJSON", "TestSupport"],
            resources: [.copy("keras-dense")]),
    ],
    swiftLanguageModes: [.v6]
)
