import Foundation

/// Which config file a command reads: `--config PATH`, else `$NEWSLETTER_CONFIG`, else
/// `/etc/carers-newsletter/newsletter.yaml`.
public struct ConfigLocation: Sendable, Equatable {
    public static let systemPath = "/etc/carers-newsletter/newsletter.yaml"
    public static let environmentVariable = "NEWSLETTER_CONFIG"

    public enum Source: Sendable, Equatable {
        case flag, environment, systemDefault
    }

    /// Larger files are refused before they are read.
    static let maxSize = 1 << 20

    public var path: String
    public var source: Source

    public init(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let flag, !flag.isEmpty {
            path = flag
            source = .flag
        } else if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            path = fromEnvironment
            source = .environment
        } else {
            path = Self.systemPath
            source = .systemDefault
        }
        path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The file's text; a missing, unreadable or non-UTF-8 file is a config error (exit 78).
    public func read() throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            let hint: String
            switch source {
            case .flag: hint = "check the --config path"
            case .environment: hint = "it was named by \(Self.environmentVariable)"
            case .systemDefault: hint = "pass --config PATH or set \(Self.environmentVariable)"
            }
            throw NewsletterError.config("config \(path) not found; \(hint)")
        }
        if isFolder.boolValue {
            throw NewsletterError.config("config \(path) is a folder; give the path of the YAML file")
        }
        // Read at most a megabyte: --config /dev/zero must not be read for ever. A pipe such
        // as <(command) is fine.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw NewsletterError.config("config \(path) cannot be read by user \(UnixUser.current): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maxSize + 1) ?? Data()
        } catch {
            throw NewsletterError.config("config \(path) cannot be read by user \(UnixUser.current): \(SystemErrorReason.text(error))")
        }
        if data.count > Self.maxSize {
            throw NewsletterError.config("config \(path) is larger than \(Self.maxSize / 1024) KB; a config file is a few kilobytes, so this is not one")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NewsletterError.config("config \(path) is not UTF-8 text")
        }
        if text.contains("\u{0}") {
            throw NewsletterError.config("config \(path) contains a NUL byte; it is not a YAML text file")
        }
        return text
    }
}
