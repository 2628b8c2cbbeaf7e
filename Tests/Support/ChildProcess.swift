import Foundation

/// A child process started with `posix_spawn`, for the tests, instead of Foundation's
/// `Process`.
///
/// `Process.run()` on Linux lists /proc/self/fd to close inherited descriptors, copying each
/// `dirent`'s whole 256-byte name out of readdir's buffer; when the last entry sits at the
/// end of a page, the copy runs off it and the test process dies of SIGSEGV in a memcpy.
/// That took down whole `make test` runs once a run had opened enough descriptors. Here the
/// child closes its inherited descriptors itself (`posix_spawn_file_actions_addclosefrom_np`)
/// and a thread of its own waits for it.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream {
        case null
        case pipe(Pipe)
        case handle(FileHandle)
    }

    public let executable: String
    public let arguments: [String]
    public var environment: [String: String]?
    public var currentDirectory: String?
    public var standardInput: Stream = .null
    public var standardOutput: Stream = .null
    public var standardError: Stream = .null

    private let lock = NSLock()
    private let exited = DispatchGroup()
    private var pid: pid_t = 0
    private var status: Int32?
    private var exitHandler: (@Sendable () -> Void)?

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    public var processIdentifier: pid_t {
        lock.lock()
        defer { lock.unlock() }
        return pid
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pid > 0 && status == nil
    }

    /// The exit code, or 128 + the signal that ended it, as a shell reports it; nil while it runs.
    public var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        guard let status else { return nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Called once, on the waiting thread, when the child has ended (at once if it has).
    public func onExit(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        if status != nil {
            lock.unlock()
            handler()
            return
        }
        exitHandler = handler
        lock.unlock()
    }

    /// Blocks until the child ends: only on a thread of its own, never the cooperative pool.
    public func waitUntilExit() {
        exited.wait()
    }

    public func run() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, as Foundation does, so a signal to the test's group spares it.
        // No signal blocked and every signal at its default, whatever the spawning thread had:
        // Dispatch's threads block most signals, and a child that inherited that mask would
        // never see the SIGTERM a test sends it.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var nullDevice: Int32 = -1
        defer { if nullDevice >= 0 { close(nullDevice) } }
        func descriptor(_ stream: Stream, reading: Bool) -> Int32 {
            switch stream {
            case .null:
                if nullDevice < 0 { nullDevice = open("/dev/null", O_RDWR | O_CLOEXEC) }
                return nullDevice
            case .pipe(let pipe):
                return reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
            case .handle(let handle):
                return handle.fileDescriptor
            }
        }
        posix_spawn_file_actions_adddup2(&actions, descriptor(standardInput, reading: true), 0)
        posix_spawn_file_actions_adddup2(&actions, descriptor(standardOutput, reading: false), 1)
        posix_spawn_file_actions_adddup2(&actions, descriptor(standardError, reading: false), 2)
        guard Self.closeFrom(&actions, 3) == 0 else { throw TestSetupError("posix_spawn_file_actions_addclosefrom_np failed") }
        if let currentDirectory {
            guard Self.changeDirectory(&actions, currentDirectory) == 0 else { throw TestSetupError("posix_spawn_file_actions_addchdir_np failed") }
        }

        let environment = self.environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw TestSetupError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        // The child holds its ends now; the parent's copies would keep the pipes open.
        if case .pipe(let pipe) = standardInput { try? pipe.fileHandleForReading.close() }
        if case .pipe(let pipe) = standardOutput { try? pipe.fileHandleForWriting.close() }
        if case .pipe(let pipe) = standardError { try? pipe.fileHandleForWriting.close() }

        let started = child
        lock.lock()
        pid = started
        lock.unlock()
        exited.enter()
        let waiter = Thread { [self] in
            var status: Int32 = 0
            while waitpid(started, &status, 0) < 0 && errno == EINTR {}
            lock.lock()
            self.status = status
            let handler = exitHandler
            exitHandler = nil
            lock.unlock()
            exited.leave()
            handler?()
        }
        waiter.stackSize = 1 << 20
        waiter.start()
    }

    // Glibc has both (2.29, 2.34), but Swift's Glibc module does not declare them.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom: CloseFrom = unsafeBitCast(symbol("posix_spawn_file_actions_addclosefrom_np"), to: CloseFrom.self)
    private static let changeDirectory: ChangeDirectory = unsafeBitCast(symbol("posix_spawn_file_actions_addchdir_np"), to: ChangeDirectory.self)

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer {
        guard let found = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("the C library has no \(name); the tests need glibc 2.34 or later")
        }
        return found
    }

    /// The first line a child writes to `output` (a server's "PORT n"), read byte by byte so
    /// nothing after it is swallowed, on a thread of its own: Python takes a while to start
    /// under load.
    public static func firstLine(of output: Pipe) async -> String {
        let handle = output.fileHandleForReading
        return await offPool {
            var line = Data()
            while true {
                let byte = handle.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line += byte
            }
            return String(decoding: line, as: UTF8.self)
        }
    }
}
