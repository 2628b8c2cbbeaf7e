import Foundation

/// Parses a message with Python's `email` package (policy=default), an independent parser,
/// and reports its defects, decoded headers and parts.
public enum PythonEmail {
    public struct Parsed: Decodable, Sendable {
        public var defects: [String]
        public var headers: [[String]]
        public var parts: [Part]
        public var maxLineLength: Int

        public struct Part: Decodable, Sendable {
            public var type: String
            public var charset: String?
            public var content: String
        }

        /// The decoded value of the first header with this name.
        public func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }

        enum CodingKeys: String, CodingKey {
            case defects, headers, parts
            case maxLineLength = "max_line_length"
        }
    }

    static let script = #"""
        import sys, json, email
        from email import policy
        raw = sys.stdin.buffer.read()
        msg = email.message_from_bytes(raw, policy=policy.default)
        defects = [repr(d) for d in msg.defects]
        headers = []
        for name, value in msg.items():
            defects += [name + ": " + repr(d) for d in getattr(value, "defects", [])]
            headers.append([name, str(value)])
        parts = []
        for part in msg.walk():
            defects += [repr(d) for d in part.defects]
            if part.get_content_maintype() == "multipart":
                continue
            parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(), "content": part.get_content()})
        lines = raw.split(b"\r\n")
        print(json.dumps({"defects": defects, "headers": headers, "parts": parts,
                          "max_line_length": max(len(l) for l in lines)}))
        """#

    /// Python starts and parses on a thread of its own: the wait never holds a pool thread.
    public static func parse(_ message: Data) async throws -> Parsed {
        try await offPool { try blockingParse(message) }
    }

    private static func blockingParse(_ message: Data) throws -> Parsed {
        let process = ChildProcess(executable: "/usr/bin/python3", arguments: ["-c", script])
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = .pipe(input)
        process.standardOutput = .pipe(output)
        process.standardError = .pipe(errors)
        try process.run()
        input.fileHandleForWriting.write(message)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.exitStatus == 0 else {
            throw TestSetupError("python3 could not parse the message: \(String(decoding: problem, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
