import Foundation
import NewsletterCore

/// Where the templates come from: a folder, or the copies built into the binary.
///
/// Without `templates.dir`, a `templates` folder beside the config file is used if there is
/// one (an admin's own copy, as `make install` leaves in /etc/carers-newsletter), then the
/// defaults installed with the binary (`<prefix>/share/carers-newsletter/templates` for
/// `<prefix>/bin/newsletterd`), then the built-in ones, so a minimal config in a new folder
/// starts without any template files.
public enum TemplateSource: Sendable, Equatable, CustomStringConvertible {
    case folder(String)
    case builtIn

    public static func resolve(_ settings: TemplateSettings, executable: String? = TemplateSource.executablePath()) -> TemplateSource {
        if let dir = settings.dir { return .folder(dir) }
        if isFolder(settings.besideConfig) { return .folder(settings.besideConfig) }
        if let executable, let installed = installedFolder(forExecutable: executable), isFolder(installed) { return .folder(installed) }
        return .builtIn
    }

    /// `<prefix>/share/carers-newsletter/templates` for an executable in `<prefix>/bin`; nil
    /// for one elsewhere (a build folder).
    public static func installedFolder(forExecutable path: String) -> String? {
        let bin = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard bin.lastPathComponent == "bin" else { return nil }
        return bin.deletingLastPathComponent().appendingPathComponent("share/carers-newsletter/templates").path
    }

    /// This process's executable as the kernel knows it (symlinks resolved).
    public static func executablePath() -> String? {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &bytes, bytes.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: bytes[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "built-in", or the folder.
    public var description: String {
        switch self {
        case .folder(let path): return path
        case .builtIn: return "built-in"
        }
    }

    /// Whether the source exists: always for the built-in templates.
    var exists: Bool {
        switch self {
        case .folder(let path): return Self.isFolder(path)
        case .builtIn: return true
        }
    }

    /// How a file is named in errors.
    func name(_ file: String) -> String {
        switch self {
        case .folder(let path): return URL(fileURLWithPath: path).appendingPathComponent(file).path
        case .builtIn: return "built-in " + file
        }
    }

    /// A template's bytes; `file` is relative to the source, with `/` separators.
    func contents(_ file: String) -> Data? {
        switch self {
        case .folder(let path): return FileManager.default.contents(atPath: URL(fileURLWithPath: path).appendingPathComponent(file).path)
        case .builtIn: return BuiltInTemplates.files[file].map { Data($0.utf8) }
        }
    }

    /// Whether a folder inside the source exists: always for the built-in templates.
    func hasFolder(_ name: String) -> Bool {
        switch self {
        case .folder(let path): return Self.isFolder(URL(fileURLWithPath: path).appendingPathComponent(name).path)
        case .builtIn: return true
        }
    }

    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
