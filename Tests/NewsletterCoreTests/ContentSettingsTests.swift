import Foundation
import NewsletterTestSupport
import Testing

@testable import NewsletterCore

@Suite("The content: config section")
struct ContentSettingsTests {
    let dir = TemporaryDirectory("content-config")

    func load(_ yaml: String) throws -> Settings {
        try Settings.load(from: ConfigLocation(flag: try dir.write("newsletter.yaml", yaml)))
    }

    @Test("defaults: no fallback, a 15 minute rescan, 2 seconds of quiet, 5 MB")
    func defaults() throws {
        let content = try load("").content
        #expect(content == ContentSettings(fallback: .none, rescanInterval: 900, debounce: 2, maxFileSize: 5 * 1024 * 1024))
    }

    @Test("every key is read")
    func keys() throws {
        let content = try load("content:\n  fallback: hash\n  rescan_interval: 1h\n  debounce: 500ms\n  max_file_size: 512KB\n").content
        #expect(content == ContentSettings(fallback: .hash, rescanInterval: 3600, debounce: 0.5, maxFileSize: 512 * 1024))
    }

    @Test("sizes", arguments: [("5MB", Int64(5 << 20)), ("5 mb", 5 << 20), ("5MiB", 5 << 20), ("1.5KB", 1536), ("2048", 2048), ("2048B", 2048), ("1GB", 1 << 30)])
    func sizes(_ text: String, _ bytes: Int64) {
        #expect(ConfigByteSize.parse(text) == bytes)
    }

    @Test("bad values name the key and what was expected", arguments: [
        ("fallback: sometimes", "content.fallback: expected one of none, hash, found \"sometimes\""),
        ("max_file_size: 10", "content.max_file_size: expected a size from 1 KB to 1 GB, found \"10\""),
        ("max_file_size: lots", "content.max_file_size: expected a size such as 5MB, 512KB or 1GB, found \"lots\""),
        ("rescan_interval: 1s", "content.rescan_interval: expected a duration from 10s to 7d, found \"1s\""),
        ("debounse: 2s", "unknown key content.debounse (did you mean content.debounce?)"),
    ])
    func bad(_ line: String, _ message: String) {
        do {
            _ = try load("content:\n  \(line)\n")
            Issue.record("accepted \(line)")
        } catch let error as NewsletterError {
            #expect(error.exitStatus == .config)
            #expect(error.message == "config \(dir.path("newsletter.yaml")), line 2: \(message)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
