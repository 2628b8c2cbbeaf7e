import Foundation
import NewsletterTestSupport

/// Python's `email` package (policy=default) in one long-running `/usr/bin/python3`, as an
/// independent parser for every message the fuzzers make: starting a process per message
/// would cost 50 ms, a round trip to this one well under one.
public final class PythonMailParser: @unchecked Sendable {
    public struct Parsed: Decodable, Sendable {
        public var defects: [String]
        public var headers: [[String]]
        public var parts: [Part]
        /// Display name and address of each mailbox in From, To and Reply-To, by header name.
        public var addresses: [String: [[String]]]
        public var error: String?

        public struct Part: Decodable, Sendable {
            public var type: String
            public var content: String
        }

        public func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    static let script = #"""
        import sys, json, email, struct
        from email import policy
        inp, out = sys.stdin.buffer, sys.stdout
        while True:
            head = inp.read(8)
            if len(head) < 8:
                break
            raw = inp.read(struct.unpack("<Q", head)[0])
            try:
                msg = email.message_from_bytes(raw, policy=policy.default)
                defects = [repr(d) for d in msg.defects]
                headers, addresses = [], {}
                for name, value in msg.items():
                    defects += [name + ": " + repr(d) for d in getattr(value, "defects", [])]
                    headers.append([name, str(value)])
                    if hasattr(value, "addresses"):
                        addresses[name.lower()] = [[a.display_name, a.addr_spec] for a in value.addresses]
                parts = []
                for part in msg.walk():
                    defects += [repr(d) for d in part.defects]
                    if part.get_content_maintype() == "multipart":
                        continue
                    parts.append({"type": part.get_content_type(), "content": part.get_content()})
                result = {"defects": defects, "headers": headers, "parts": parts, "addresses": addresses, "error": None}
            except Exception as e:
                result = {"defects": [], "headers": [], "parts": [], "addresses": {}, "error": repr(e)}
            out.write(json.dumps(result) + "\n")
            out.flush()
        """#

    /// One parser per process, started on first use; nil when python3 is not there.
    public static let shared: PythonMailParser? = try? PythonMailParser()

    private let process = ChildProcess(executable: "/usr/bin/python3", arguments: ["-c", PythonMailParser.script])
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var buffer: [UInt8] = []

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw CocoaError(.fileNoSuchFile) }
        // A parser that died must fail the check, not kill the fuzzer with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        process.standardInput = .pipe(input)
        process.standardOutput = .pipe(output)
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
    }

    public func parse(_ message: Data) throws -> Parsed {
        lock.lock()
        defer { lock.unlock() }
        var length = UInt64(message.count).littleEndian
        let bytes = [UInt8](withUnsafeBytes(of: &length) { Data($0) } + message)
        // Plain read(2) and write(2), retried on EINTR: libFuzzer's timer signal interrupts
        // them, and FileHandle.availableData traps when that happens.
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(input.fileHandleForWriting.fileDescriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileWriteUnknown)
            }
            offset += written
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return try JSONDecoder().decode(Parsed.self, from: line)
            }
            let count = chunk.withUnsafeMutableBytes { Foundation.read(output.fileHandleForReading.fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { throw CocoaError(.fileReadUnknown) }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
