import Foundation

/// SQL the public pages need beyond the subscriber rules: the site's topics for the forms,
/// and a health check.
extension StoreTransaction {
    /// Topic slugs of the pages and posts the site shows now (removed, skipped and draft
    /// files left out), in alphabetical order.
    public func siteTopics() throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT t.value FROM content_page p, \(db.jsonEach("p.topics", as: "t"))
                WHERE p.status NOT IN ('removed', 'skipped', 'draft')
                ORDER BY t.value
                """)
    }

    /// Asks the database something trivial: throws when it does not answer.
    public func ping() throws {
        _ = try Int.fetchOne(db, sql: "SELECT 1")
    }
}
