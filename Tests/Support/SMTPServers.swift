import Foundation

/// SMTP servers on loopback for the delivery tests, each on a port of its own.

/// A free TCP port on 127.0.0.1, for servers that cannot be told to take port 0. The kernel
/// picks it; another process could take it before the server binds, which the caller
/// notices as a server that does not start.
public enum FreePort {
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestSetupError("bind: \(String(cString: strerror(errno)))") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestSetupError("getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        guard let fd = connect(port) else { return false }
        close(fd)
        return true
    }

    /// A socket connected to 127.0.0.1:`port` (the caller closes it), or nil.
    public static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}

/// `Tests/Support/scripted_smtp.py` (aiosmtpd): replies scripted by recipient, every event
/// logged as a JSON line. See the script for the recipient prefixes it understands.
public final class ScriptedSMTPServer: @unchecked Sendable {
    public let port: Int
    public let logPath: String
    public let storeFolder: String
    private let process: ChildProcess

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("scripted_smtp.py").path
    }

    public init(in dir: TemporaryDirectory, name: String = "smtp", arguments: [String] = []) async throws {
        logPath = dir.path("\(name).log.jsonl")
        storeFolder = dir.path("\(name)-messages")
        try FileManager.default.createDirectory(atPath: storeFolder, withIntermediateDirectories: true)
        process = ChildProcess(executable: "/usr/bin/python3", arguments: [Self.script, "--log", logPath, "--store", storeFolder] + arguments)
        let output = Pipe()
        process.standardOutput = .pipe(output)
        try process.run()
        let text = await ChildProcess.firstLine(of: output)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSetupError("the scripted SMTP server did not start (is python3-aiosmtpd installed? 'make deps'): \(text)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child started from a test thread may inherit a mask that blocks SIGTERM.
        // Its own waiting thread reaps it.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Every event so far, oldest first.
    public func events() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }

    public func events(_ kind: String) -> [[String: Any]] {
        events().filter { $0["event"] as? String == kind }
    }

    /// Accepted messages.
    public var messages: [[String: Any]] { events("message") }

    /// The bytes of the `n`th accepted message (1-based).
    public func messageData(_ number: Int) -> Data? {
        FileManager.default.contents(atPath: "\(storeFolder)/\(String(format: "%06d", number)).eml")
    }
}

/// Postfix's `smtp-sink`: accepts everything, fast. Each message is dumped as one file in
/// `dumps`, so a test can count what arrived.
public final class SMTPSink: @unchecked Sendable {
    public let port: Int
    public let dumps: String
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/smtp-sink") }

    public init(in dir: TemporaryDirectory, arguments: [String] = []) async throws {
        guard Self.isInstalled else { throw TestSetupError("smtp-sink is not installed: 'make deps' installs postfix") }
        dumps = dir.path("sink-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(atPath: dumps, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        var lastError = ""
        for _ in 0..<5 {
            let port = try FreePort.pick()
            let user = getuid() == 0 ? ["-u", "nobody"] : []
            let process = ChildProcess(
                executable: "/usr/sbin/smtp-sink", arguments: user + ["-d", "\(dumps)/%M%S."] + arguments + ["127.0.0.1:\(port)", "256"])
            let errors = Pipe()
            process.standardError = .pipe(errors)
            try process.run()
            if await waitUntil(timeout: 60, { FreePort.isListening(port) || !process.isRunning }) && process.isRunning {
                self.port = port
                self.processRef = process
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            await offPool { process.waitUntilExit() }
            lastError = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        }
        throw TestSetupError("smtp-sink did not start: \(lastError)")
    }

    private var processRef: ChildProcess?

    deinit {
        // As above: killed, and reaped by its waiting thread.
        if let process = processRef, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Messages received so far.
    public var count: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: dumps).count) ?? 0
    }
}

/// A throw-away certificate authority made with openssl at test time: a CA, a server
/// certificate it signed for 127.0.0.1 and localhost, and a self-signed impostor.
public struct TestCertificates: Sendable {
    public let caCertificate: String
    public let serverCertificate: String
    public let serverKey: String
    public let wrongCertificate: String
    public let wrongKey: String

    public init(in dir: TemporaryDirectory) async throws {
        let folder = dir.path("pki")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        caCertificate = "\(folder)/ca.pem"
        serverCertificate = "\(folder)/server.pem"
        serverKey = "\(folder)/server.key"
        wrongCertificate = "\(folder)/wrong.pem"
        wrongKey = "\(folder)/wrong.key"
        let ext = "\(folder)/san.ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=carers-newsletter test CA", "-keyout", "\(folder)/ca.key", "-out", caCertificate],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", serverKey, "-out", "\(folder)/server.csr"],
            ["x509", "-req", "-in", "\(folder)/server.csr", "-CA", caCertificate, "-CAkey", "\(folder)/ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", ext, "-out", serverCertificate],
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", wrongKey,
             "-out", wrongCertificate],
        ]
        for step in steps {
            let result = try await Binaries.run("openssl", step)
            guard result.status == 0 else { throw TestSetupError("openssl \(step[0]) failed: \(result)") }
        }
    }
}
