import Foundation

/// Web servers on loopback for the website-watching tests, each on a port of its own.

/// Debian's nginx serving a folder, as a CMS's front end would: ETag and Last-Modified as
/// nginx makes them, conditional requests answered 304, XML and HTML gzipped in transit.
/// One process (no master, no privilege drop), logs and temporary files in the test's folder.
public final class NginxServer: @unchecked Sendable {
    public let port: Int
    public let root: String
    public let accessLog: String
    private let process: ChildProcess
    public static let binary = "/usr/sbin/nginx"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(serving root: String, in dir: TemporaryDirectory) async throws {
        guard Self.isInstalled else { throw TestSetupError("nginx is not installed: 'make deps' installs nginx-light") }
        self.root = root
        let prefix = dir.path("nginx-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(atPath: prefix + "/tmp", withIntermediateDirectories: true)
        accessLog = prefix + "/access.log"
        var lastError = ""
        for _ in 0..<5 {
            let port = try FreePort.pick()
            let config = Self.config(prefix: prefix, root: root, port: port)
            try config.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
            let process = ChildProcess(executable: Self.binary, arguments: ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"])
            try process.run()
            if await waitUntil(timeout: 60, { FreePort.isListening(port) || !process.isRunning }) && process.isRunning {
                self.port = port
                self.process = process
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            await offPool { process.waitUntilExit() }
            lastError = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
        }
        throw TestSetupError("nginx did not start: \(lastError)")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Requests nginx has logged: path and status, oldest first.
    public func requests() -> [(path: String, status: Int)] {
        guard let text = try? String(contentsOfFile: accessLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let status = Int(fields[1]) else { return nil }
            return (String(fields[0]), status)
        }
    }

    static func config(prefix: String, root: String, port: Int) -> String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log warn;
        events { worker_connections 512; }
        http {
            log_format brief '$request_uri $status';
            access_log \(prefix)/access.log brief;
            client_body_temp_path \(prefix)/tmp/body;
            proxy_temp_path \(prefix)/tmp/proxy;
            fastcgi_temp_path \(prefix)/tmp/fastcgi;
            uwsgi_temp_path \(prefix)/tmp/uwsgi;
            scgi_temp_path \(prefix)/tmp/scgi;
            types {
                text/html html htm;
                application/xml xml;
                application/rss+xml rss;
                application/atom+xml atom;
                text/plain txt;
                application/gzip gz;
            }
            default_type application/octet-stream;
            charset utf-8;
            charset_types text/html application/xml application/rss+xml application/atom+xml text/plain;
            gzip on;
            gzip_min_length 256;
            gzip_types application/xml application/rss+xml application/atom+xml text/plain;
            keepalive_requests 100000;
            server {
                listen 127.0.0.1:\(port);
                root \(root);
                index index.html;
                location / { try_files $uri $uri.html $uri/ =404; }
            }
        }
        """
    }
}

/// `Tests/Support/scripted_http.py`: a web server whose paths are faults (slow answers,
/// redirect loops and escapes, huge and bomb bodies, login pages with 200...), and which
/// serves `docs` as files with validators. Every request is logged as a JSON line.
public final class ScriptedHTTPServer: @unchecked Sendable {
    public let port: Int
    public let logPath: String
    private let process: ChildProcess

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("scripted_http.py").path
    }

    public init(in dir: TemporaryDirectory, docs: String? = nil) async throws {
        logPath = dir.path("http-\(UUID().uuidString.prefix(6)).log.jsonl")
        process = ChildProcess(executable: "/usr/bin/python3", arguments: [Self.script, "--log", logPath] + (docs.map { ["--docs", $0] } ?? []))
        let output = Pipe()
        process.standardOutput = .pipe(output)
        try process.run()
        let text = await ChildProcess.firstLine(of: output)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSetupError("the scripted web server did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Every request so far, oldest first.
    public func requests() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }
}
