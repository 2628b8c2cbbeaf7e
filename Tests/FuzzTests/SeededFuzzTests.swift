import Foundation
import NewsletterFuzzSupport
import NewsletterTestSupport
import Testing

/// The fast layer of fuzzing, run by `make test`: a fixed number of generated inputs per
/// target from a fixed seed, so a failure replays. `make fuzz` runs the coverage-guided
/// layer (libFuzzer, Fuzz/) on the same targets and properties.
///
/// `FUZZ_SEED` and `FUZZ_RUNS_SCALE` vary the seed and multiply the budget for a longer run.
@Suite("Seeded fuzzing")
struct SeededFuzzTests {
    /// Inputs per target in `make test`: the whole suite takes a few seconds.
    static let budget: [FuzzTarget: Int] = [.address: 20_000, .csv: 2_000, .page: 3_000, .config: 2_000, .mime: 400]

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_CA7E
    }

    static var scale: Int {
        ProcessInfo.processInfo.environment["FUZZ_RUNS_SCALE"].flatMap { Int($0) } ?? 1
    }

    @Test("generated inputs keep every property", arguments: FuzzTarget.allCases)
    func generated(_ target: FuzzTarget) async throws {
        // The MIME target waits for a python process's opinion of every message, so the loop
        // runs on a thread of its own rather than holding a thread of the cooperative pool.
        let failures = await offPool { Self.search(target) }
        for failure in failures {
            let saved = try FuzzCorpus.saveFinding(failure.input, target: target)
            Issue.record("\(target): \(failure.problems.joined(separator: "; "))\n  input saved to \(saved) (move it to Tests/Fuzz/Corpus/\(target.rawValue)/ once fixed)")
        }
    }
}

extension SeededFuzzTests {
    static func search(_ target: FuzzTarget) -> [(input: [UInt8], problems: [String])] {
        var generator = SeededGenerator(seed: seed ^ UInt64(bitPattern: Int64(target.rawValue.hashValueStable)))
        let runs = (budget[target] ?? 1000) * scale
        var failures: [(input: [UInt8], problems: [String])] = []
        for _ in 0..<runs {
            let input = target.generate(using: &generator)
            let problems = target.check(input)
            if !problems.isEmpty { failures.append((input, problems)) }
            if failures.count >= 5 { break }
        }
        return failures
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return Int(truncatingIfNeeded: value)
    }
}
