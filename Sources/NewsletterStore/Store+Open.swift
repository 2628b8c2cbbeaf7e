import Foundation
import NewsletterCore

extension Store {
    /// Opens the database the settings name, creating it if needed, and brings its schema up
    /// to date. Both binaries call this; migrations are safe to race between processes.
    public static func open(_ settings: DatabaseSettings) throws -> Store {
        if let postgres = settings.postgres {
            return Store(backend: try PostgresBackend.open(postgres))
        }
        return Store(backend: try SQLiteBackend.open(path: settings.path, busyTimeout: settings.busyTimeout))
    }
}
