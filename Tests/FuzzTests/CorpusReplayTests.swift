import Foundation
import NewsletterFuzzSupport
import NewsletterTestSupport
import Testing

/// Every input the fuzzers ever found a problem with, and the seeds libFuzzer starts from,
/// replayed: `Tests/Fuzz/Corpus/<target>/` (findings, one file each) and
/// `Tests/Fuzz/Seeds/<target>/`.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    @Test("every committed input keeps every property", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) async throws {
        let files = FuzzCorpus.files(for: target)
        #expect(!files.isEmpty, "no committed inputs for \(target)")
        // The MIME target waits on a python process for each input: off the cooperative pool.
        let found = try await offPool {
            try files.map { file in (file.path, target.check(try [UInt8](Data(contentsOf: file)))) }
        }
        for (path, problems) in found {
            #expect(problems.isEmpty, "\(path): \(problems.joined(separator: "; "))")
        }
    }
}

/// `FUZZ_REPLAY=target:path` replays one input (a libFuzzer crash file, a saved finding) and
/// prints every problem in full.
@Suite("Fuzz replay of one input")
struct ReplayOneTests {
    @Test("the named input", .enabled(if: ProcessInfo.processInfo.environment["FUZZ_REPLAY"] != nil))
    func replay() throws {
        let spec = ProcessInfo.processInfo.environment["FUZZ_REPLAY"] ?? ""
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let target = try #require(parts.count == 2 ? FuzzTarget(rawValue: parts[0]) : nil, "FUZZ_REPLAY=target:path")
        let problems = target.check(try [UInt8](Data(contentsOf: URL(fileURLWithPath: parts[1]))))
        for problem in problems { print("PROBLEM: \(problem)") }
        #expect(problems.isEmpty)
    }
}

/// Where the committed fuzz inputs are, and where a new finding is written.
enum FuzzCorpus {
    static let root = RepositoryPaths.root.appendingPathComponent("Tests/Fuzz")

    static func files(for target: FuzzTarget) -> [URL] {
        ["Corpus", "Seeds"].flatMap { folder -> [URL] in
            let dir = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0) }
        }
    }

    /// Writes a failing input under the system temp folder, named by its content.
    static func saveFinding(_ input: [UInt8], target: FuzzTarget) throws -> String {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("newsletter-fuzz-findings/\(target.rawValue)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in input { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let file = dir.appendingPathComponent("seeded-\(String(hash, radix: 16))")
        try Data(input).write(to: file)
        return file.path
    }
}
