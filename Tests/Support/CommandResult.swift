import Foundation

/// What a finished process printed and how it ended.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Lines on stderr, without the empty last one.
    public var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built binaries the way a user would.
public enum Binaries {
    /// Where `swift build` put the executables: `NEWSLETTER_BIN_DIR` (set by `make test`),
    /// else the folder of the running test bundle, which SwiftPM builds beside them.
    public static var folder: URL {
        if let dir = ProcessInfo.processInfo.environment["NEWSLETTER_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while candidate.path != "/" {
            candidate.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("newsletterctl").path) { return candidate }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    /// The built binary `name`, or a system command such as `bash` found on PATH.
    public static func path(_ name: String) -> String {
        let built = folder.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: built) || name.hasPrefix("newsletter") { return built }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return name
    }

    public static func start(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil
    ) throws -> RunningProcess {
        try RunningProcess(executable: path(name), arguments: arguments, environment: environment, currentDirectory: currentDirectory)
    }
}

/// A child process whose output is collected on background threads, so a chatty child never
/// blocks on a full pipe.
public final class RunningProcess: @unchecked Sendable {
    public let process: ChildProcess
    public let stdinPipe: Pipe?
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let group = DispatchGroup()
    private var out = Data()
    private var err = Data()

    public init(executable: String, arguments: [String], environment: [String: String], currentDirectory: String?) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSetupError("\(executable) is not built; run 'swift build' (make test does) first")
        }
        process = ChildProcess(executable: executable, arguments: arguments)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NEWSLETTER_CONFIG")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectory = currentDirectory
        let input = Pipe()
        stdinPipe = input
        process.standardInput = .pipe(input)
        process.standardOutput = .pipe(stdoutPipe)
        process.standardError = .pipe(stderrPipe)
        try process.run()
        collect(stdoutPipe) { self.out = $0 }
        collect(stderrPipe) { self.err = $0 }
    }

    private func collect(_ pipe: Pipe, _ store: @escaping @Sendable (Data) -> Void) {
        group.enter()
        // A thread of its own for as long as the child runs: neither the cooperative pool nor
        // Dispatch's shared threads are held by a blocking read.
        let thread = Thread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            store(data)
            self.group.leave()
        }
        thread.start()
    }

    public var pid: Int32 { process.processIdentifier }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to end, off the cooperative pool.
    @discardableResult
    public func wait() async -> CommandResult {
        await offPool { [self] in self.blockingWait() }
    }

    /// Blocks the calling thread until the process ends and its output is read: only ever
    /// called on a thread of its own (`wait()`), never on the cooperative pool.
    private func blockingWait() -> CommandResult {
        process.waitUntilExit()
        group.wait()
        return CommandResult(
            status: process.exitStatus ?? -1, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
