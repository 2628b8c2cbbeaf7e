// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "carers-newsletter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "newsletterd", targets: ["newsletterd"]),
        .executable(name: "newsletterctl", targets: ["newsletterctl"]),
        // For the libFuzzer harnesses in Fuzz/, a package of their own built with -sanitize=fuzzer.
        .library(name: "NewsletterFuzzSupport", targets: ["NewsletterFuzzSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Without the default traits: the swift-configuration support is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // libcurl, through a shim of typed wrappers for its variadic C functions.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // zlib, for sitemaps served as .xml.gz (libcurl inflates only what is compressed in transit).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Config, the store's queries and the domains: the layer every other module stands on.
        // It sees no database driver: a StoreBackend from NewsletterStore runs its SQL.
        .target(
            name: "NewsletterCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The store's backends, SQLite through GRDB and PostgreSQL through postgres-nio, with
        // their schemas, migrations, locks and change signals.
        .target(
            name: "NewsletterStore",
            dependencies: [
                "NewsletterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Transports (SMTP through libcurl, Maildir) and the outbox engine that drives them.
        .target(
            name: "NewsletterDelivery",
            dependencies: [
                "NewsletterCore", "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Content watching: page parsing, dates, the scanner and the inotify watcher.
        .target(
            name: "NewsletterContent",
            dependencies: [
                "NewsletterCore", "CCurl", "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Digests, blog notifications and sign-up emails: selection, templates, MIME.
        .target(
            name: "NewsletterCompose",
            dependencies: [
                "NewsletterCore",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The daemon: schedule, systemd protocol, signals, and the wiring of the modules.
        .target(
            name: "NewsletterDaemon",
            dependencies: [
                "NewsletterCore", "NewsletterStore", "NewsletterContent", "NewsletterCompose", "NewsletterDelivery",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The public pages: sign-up, confirm, unsubscribe (RFC 8058 one-click), preferences,
        // health and Prometheus metrics, served by Hummingbird inside newsletterd.
        .target(
            name: "NewsletterWeb",
            dependencies: [
                "NewsletterCore", "NewsletterCompose",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What both executables share: argument parsing, one-line errors, exit statuses.
        .target(
            name: "CommandSupport",
            dependencies: [
                "NewsletterCore", "NewsletterStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "newsletterctl",
            dependencies: [
                "NewsletterCore", "NewsletterStore", "NewsletterContent", "NewsletterCompose", "NewsletterDelivery", "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "newsletterd",
            dependencies: [
                "NewsletterCore", "NewsletterDaemon", "NewsletterCompose", "NewsletterDelivery", "NewsletterWeb", "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Helpers the test targets share: temporary folders, running the real binaries.
        .target(name: "NewsletterTestSupport", path: "Tests/Support", exclude: ["scripted_smtp.py", "scripted_http.py"]),
        // Stores for the tests on either backend: NEWSLETTER_TEST_STORE=postgresql picks PostgreSQL.
        .target(
            name: "NewsletterStoreTestSupport",
            dependencies: ["NewsletterCore", "NewsletterStore", "NewsletterTestSupport"],
            path: "Tests/StoreSupport"
        ),
        // The fuzz targets' properties and hostile-input generators, shared by the seeded fuzz
        // tests (FuzzTests) and the libFuzzer harnesses (Fuzz/, `make fuzz`).
        .target(
            name: "NewsletterFuzzSupport",
            dependencies: ["NewsletterCore", "NewsletterContent", "NewsletterCompose", "NewsletterTestSupport"],
            path: "Tests/FuzzSupport"
        ),
        .testTarget(name: "CCurlTests", dependencies: ["CCurl"]),
        .testTarget(
            name: "NewsletterCoreTests",
            dependencies: [
                "NewsletterCore", "NewsletterStore", "NewsletterStoreTestSupport", "NewsletterTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "NewsletterContentTests",
            dependencies: ["NewsletterContent", "NewsletterCore", "NewsletterStore", "NewsletterStoreTestSupport", "NewsletterTestSupport", "CZlib", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "NewsletterComposeTests",
            dependencies: ["NewsletterCompose", "NewsletterCore", "NewsletterStore", "NewsletterStoreTestSupport", "NewsletterTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Golden"]
        ),
        .testTarget(name: "NewsletterDaemonTests", dependencies: ["NewsletterDaemon", "NewsletterCore", "NewsletterStore", "NewsletterTestSupport"]),
        .testTarget(
            name: "NewsletterDeliveryTests",
            dependencies: ["NewsletterDelivery", "NewsletterCore", "NewsletterStore", "NewsletterStoreTestSupport", "NewsletterTestSupport", "CCurl", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "NewsletterWebTests",
            dependencies: [
                "NewsletterWeb", "NewsletterCore", "NewsletterStore", "NewsletterCompose", "NewsletterStoreTestSupport", "NewsletterTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FuzzTests",
            dependencies: ["NewsletterFuzzSupport", "NewsletterCore", "NewsletterContent", "NewsletterCompose", "CommandSupport", "NewsletterTestSupport"]
        ),
        // Runs the built binaries against temporary databases and configs.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "NewsletterCore", "NewsletterStore", "NewsletterStoreTestSupport", "NewsletterTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Crashes, failing relays and full disks against the real binaries: `make test-reliability`.
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["NewsletterCore", "NewsletterStore", "NewsletterTestSupport", "NewsletterStoreTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
