import Foundation
import NewsletterTestSupport
import Testing

/// The hostile-input corpus (`Tests/Hostile/*.jsonl`, see its README) replayed against the
/// real binaries. Every input must give its sysexits status, one clear line on stderr (or
/// the stated number of lines, each clean), nothing on stdout, and leave the database and
/// the fixture's files exactly as they were; none may hang (a run is killed after 120 seconds).
@Suite("Hostile input corpus")
struct HostileCorpusTests {
    @Test("command-line inputs", arguments: HostileCorpus.load("cli.jsonl"))
    func commandLine(_ input: HostileCase) async throws {
        try await HostileCorpus.run(input)
    }

    @Test("config files", arguments: HostileCorpus.load("config.jsonl"))
    func configFiles(_ input: HostileCase) async throws {
        try await HostileCorpus.run(input)
    }

    @Test("at least 100 inputs, each with a distinct name")
    func size() {
        let all = HostileCorpus.load("cli.jsonl") + HostileCorpus.load("config.jsonl")
        #expect(all.count >= 100)
        #expect(Set(all.map(\.name)).count == all.count)
        let errors = HostileCorpus.decode("cli.jsonl").errors + HostileCorpus.decode("config.jsonl").errors
        #expect(errors.isEmpty, "\(errors)")
    }

    /// Not an error, but hostile all the same: pages whose file names and titles hold line
    /// breaks and escape sequences are scanned, and every command that shows them keeps each
    /// line whole and the terminal's escape sequences out.
    @Test("hostile file names and titles in the content folder")
    func hostilePages() async throws {
        let fixture = try CLIFixture(withContent: true)
        try fixture.dir.write("site/support/\u{1B}[2Jclear.md", "---\ntitle: \"Clear \\e[2J screen\"\n---\nLast updated: 5 May 2022\n")
        try fixture.dir.write("site/support/two\nlines.html", "<title>Two&#10;lines&#x1b;[31m</title><p>Last updated: 5 May 2022</p>")
        try fixture.dir.write("site/support/bidi\u{202E}txt.md", "# Bidi\n\nLast updated: 5 May 2022\n")
        for arguments in [["content", "scan", "--announce-existing"], ["content", "list"], ["content", "events"], ["content", "scan"]] {
            let result = try await fixture.ctl(arguments: arguments)
            #expect(result.status == 0, "\(arguments): \(result)")
            for line in (result.stdout + result.stderr).split(separator: "\n") {
                #expect(!line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || (0x7F...0x9F).contains($0.value) },
                        "\(arguments): \(line.debugDescription)")
            }
        }
        let list = try await fixture.ctl("content", "list")
        // The header, four pages, the count, and the empty string after the last newline.
        #expect(list.stdout.components(separatedBy: "\n").count == 7, "\(list.stdout)")
    }

    /// The web endpoints' inputs (`http.jsonl`), sent in turn to one newsletterd.
    @Test("HTTP endpoint inputs")
    func http() async throws {
        let inputs = HostileCorpus.decodeHTTP()
        #expect(inputs.errors.isEmpty, "\(inputs.errors)")
        #expect(inputs.cases.count >= 50 && Set(inputs.cases.map(\.name)).count == inputs.cases.count)
        let server = try await HTTPCorpusServer.start()
        do {
            for input in inputs.cases { try await server.run(input) }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

/// One input of the corpus (one line of a `.jsonl` file).
struct HostileCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    /// `newsletterctl` (the default) or `newsletterd`.
    var program: String?
    var args: [Argument]
    /// For the config corpus: the whole config file, replacing the fixture's.
    var config: String?
    /// The config file's bytes in base64, for text that is not UTF-8.
    var configBase64: String?
    /// Do not add `--config FIXTURE` to the arguments.
    var noConfig: Bool?
    var env: [String: String]?
    /// Files written into the fixture's folder first: text, or `{"base64": "..."}`.
    var files: [String: FileContent]?
    var stdin: String?
    var status: Int32
    /// A fragment of the last stderr line.
    var message: String
    /// How many lines stderr holds (an import lists each bad row); 1 unless given.
    var stderrLines: Int?
    /// `config check` reports on stdout; other failures print nothing there.
    var stdoutAllowed: Bool?

    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
        case name, program, args, config, env, files, stdin, status, message
        case configBase64 = "config_base64", noConfig = "no_config", stderrLines = "stderr_lines", stdoutAllowed = "stdout_allowed"
    }

    /// An argument: text, or `{"hex": "ff41"}` for bytes that are not UTF-8.
    enum Argument: Decodable, Sendable {
        case text(String)
        case bytes([UInt8])

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
                return
            }
            let object = try decoder.container(keyedBy: HexKey.self)
            self = .bytes(try HostileCorpus.hex(try object.decode(String.self, forKey: .hex)))
        }

        enum HexKey: String, CodingKey { case hex }
    }

    enum FileContent: Decodable, Sendable {
        case text(String)
        case bytes(Data)

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
                return
            }
            let object = try decoder.container(keyedBy: Base64Key.self)
            self = .bytes(Data(base64Encoded: try object.decode(String.self, forKey: .base64)) ?? Data())
        }

        enum Base64Key: String, CodingKey { case base64 }
    }
}

enum HostileCorpus {
    static let folder = RepositoryPaths.root.appendingPathComponent("Tests/Hostile")
    static func load(_ file: String) -> [HostileCase] {
        decode(file).cases
    }

    static func decode(_ file: String) -> (cases: [HostileCase], errors: [String]) {
        var cases: [HostileCase] = []
        var errors: [String] = []
        for (number, line) in lines(file) {
            do {
                cases.append(try JSONDecoder().decode(HostileCase.self, from: Data(line.utf8)))
            } catch {
                errors.append("\(file):\(number): \(error)")
            }
        }
        return (cases, errors)
    }

    static func decodeHTTP() -> (cases: [HostileHTTPCase], errors: [String]) {
        var cases: [HostileHTTPCase] = []
        var errors: [String] = []
        for (number, line) in lines("http.jsonl") {
            do {
                cases.append(try JSONDecoder().decode(HostileHTTPCase.self, from: Data(line.utf8)))
            } catch {
                errors.append("http.jsonl:\(number): \(error)")
            }
        }
        return (cases, errors)
    }

    private static func lines(_ file: String) -> [(Int, String)] {
        let text = (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset + 1, String($0.element)) }
            .filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty && !$0.1.hasPrefix("//") }
    }

    static func hex(_ text: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw TestSetupError("odd hex \(text)") }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                throw TestSetupError("bad hex \(text)")
            }
            return byte
        }
    }

    /// `{repeat:N:text}` is `text` N times, so oversized inputs stay readable in the file;
    /// `{dir}` is the fixture's folder, `{config}` its config file.
    static func expand(_ text: String, dir: String, config: String) -> String {
        var out = text.replacingOccurrences(of: "{dir}", with: dir).replacingOccurrences(of: "{config}", with: config)
        while let start = out.range(of: "{repeat:") {
            guard let close = out[start.upperBound...].firstIndex(of: "}") else { break }
            let spec = out[start.upperBound..<close]
            guard let colon = spec.firstIndex(of: ":"), let count = Int(spec[..<colon]) else { break }
            out.replaceSubrange(start.lowerBound...close, with: String(repeating: String(spec[spec.index(after: colon)...]), count: count))
        }
        return out
    }

    /// The fixture every case starts from, made once: a config, a content folder, two
    /// subscribers (one pending, whose confirmation email sits in the outbox).
    static let template = Task<TemporaryDirectory, any Error> {
        let fixture = try CLIFixture(withContent: true)
        for arguments in [["subscribers", "add", "ann@example.org", "--name", "Ann"], ["subscribers", "add", "pat@example.org", "--pending"]] {
            let result = try await fixture.ctl(arguments: arguments)
            guard result.status == 0 else { throw TestSetupError("fixture setup failed: \(result)") }
        }
        return fixture.dir
    }

    static func run(_ input: HostileCase) async throws {
        let template = try await template.value
        let dir = TemporaryDirectory("hostile")
        try copyContents(of: template.url, to: dir.url)
        let config = dir.path("newsletter.yaml")
        if let yaml = input.config {
            try Data(expand(yaml, dir: dir.path, config: config).utf8).write(to: URL(fileURLWithPath: config))
        } else if let base64 = input.configBase64 {
            try (Data(base64Encoded: base64) ?? Data()).write(to: URL(fileURLWithPath: config))
        }
        for (name, content) in input.files ?? [:] {
            switch content {
            case .text(let text): try dir.write(name, expand(text, dir: dir.path, config: config))
            case .bytes(let data): try dir.write(name, data)
            }
        }
        let before = try await snapshot(dir)

        var arguments = input.args.map { argument -> HostileCase.Argument in
            if case .text(let text) = argument { return .text(expand(text, dir: dir.path, config: config)) }
            return argument
        }
        if input.noConfig != true { arguments += [.text("--config"), .text(config)] }
        let program = input.program ?? "newsletterctl"
        let result = try await execute(program, arguments, environment: input.env ?? [:], stdin: input.stdin, in: dir.path)

        #expect(result.status == input.status, "\(input.name): \(result)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == (input.stderrLines ?? 1), "\(input.name): stderr is \(lines.count) lines: \(result.stderr.debugDescription)")
        for line in lines {
            #expect(line.hasPrefix("\(program): "), "\(input.name): \(line.debugDescription)")
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 },
                    "\(input.name): a control character reached the terminal: \(line.debugDescription)")
        }
        #expect(lines.last?.contains(input.message) == true, "\(input.name): expected \(input.message.debugDescription) in \(result.stderr.debugDescription)")
        if input.stdoutAllowed != true { #expect(result.stdout.isEmpty, "\(input.name): stdout \(result.stdout.debugDescription)") }
        let after = try await snapshot(dir)
        #expect(after.files == before.files, "\(input.name): files changed: \(Set(after.files).symmetricDifference(before.files).sorted())")
        #expect(after.database == before.database, "\(input.name): the database changed")
    }

    /// Runs the binary; arguments that are bytes go through bash's $'\xNN' quoting, since a
    /// Swift string cannot hold them. A run over 120 seconds (a hang) is killed and fails the case.
    static func execute(
        _ program: String, _ arguments: [HostileCase.Argument], environment: [String: String], stdin: String?, in dir: String
    ) async throws -> CommandResult {
        let path = Binaries.path(program)
        let process: RunningProcess
        if arguments.contains(where: { if case .bytes = $0 { return true } else { return false } }) {
            let quoted = arguments.map { argument -> String in
                let bytes: [UInt8]
                switch argument {
                case .text(let text): bytes = Array(text.utf8)
                case .bytes(let raw): bytes = raw
                }
                return "$'" + bytes.map { String(format: "\\x%02x", $0) }.joined() + "'"
            }
            process = try RunningProcess(
                executable: Binaries.path("bash"), arguments: ["-c", "exec \"$0\" " + quoted.joined(separator: " "), path],
                environment: environment, currentDirectory: dir)
        } else {
            let texts = arguments.map { argument -> String in
                if case .text(let text) = argument { return text }
                return ""
            }
            process = try RunningProcess(executable: path, arguments: texts, environment: environment, currentDirectory: dir)
        }
        let input = stdin.map { Data($0.utf8) }
        // A large stdin blocks on a full pipe until the child reads it: off the pool.
        await offPool { [process] in
            if let input { process.stdinPipe?.fileHandleForWriting.write(input) }
            try? process.stdinPipe?.fileHandleForWriting.close()
        }
        // A bound on a hang (a loop on hostile input), not on speed: generous for a loaded machine.
        if await !waitUntil(timeout: 120, { !process.process.isRunning }) {
            process.signal(SIGKILL)
            _ = await process.wait()
            throw TestSetupError("\(program) ran for more than 120 seconds and was killed")
        }
        return await process.wait()
    }

    struct Snapshot: Equatable {
        var files: [String]
        var database: String
    }

    /// Every file under `dir` with its size (SQLite's -wal and -shm aside), and the
    /// database's full dump.
    static func snapshot(_ dir: TemporaryDirectory) async throws -> Snapshot {
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(at: dir.url, includingPropertiesForKeys: [.fileSizeKey])
        while let url = enumerator?.nextObject() as? URL {
            let relative = String(url.path.dropFirst(dir.path.count))
            if relative.hasSuffix("-wal") || relative.hasSuffix("-shm") { continue }
            let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? -1
            files.append("\(relative) \(size)")
        }
        let dump = try await Binaries.run("sqlite3", [dir.path("data/newsletter.db"), ".dump"])
        guard dump.status == 0 else { throw TestSetupError("sqlite3 .dump failed: \(dump)") }
        return Snapshot(files: files.sorted(), database: dump.stdout)
    }

    static func copyContents(of source: URL, to target: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where !name.hasSuffix("-wal") && !name.hasSuffix("-shm") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
    }
}
