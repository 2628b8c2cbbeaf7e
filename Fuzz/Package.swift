// swift-tools-version:6.1
// The libFuzzer harness: a package of its own, so that `-sanitize=fuzzer` (which links
// libFuzzer's main) applies to this build only. `make fuzz` builds it into .build-fuzz:
//
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c release \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link
//
// and runs it once per target: FUZZ_TARGET=address .build-fuzz/release/newsletter-fuzz CORPUS_DIR
import PackageDescription

let package = Package(
    name: "carers-newsletter-fuzz",
    dependencies: [
        .package(name: "carers-newsletter", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "newsletter-fuzz",
            dependencies: [.product(name: "NewsletterFuzzSupport", package: "carers-newsletter")]
        )
    ]
)
