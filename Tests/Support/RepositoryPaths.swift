import Foundation

/// Folders of this checkout, found from this file's own path.
public enum RepositoryPaths {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The default email templates shipped in config/templates.
    public static var templates: String { root.appendingPathComponent("config/templates").path }
}
