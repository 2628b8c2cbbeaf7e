import Foundation
import GRDB
import NewsletterStore
import NewsletterStoreTestSupport
import NewsletterTestSupport

@testable import NewsletterCore

/// A store in a temporary folder (or a new PostgreSQL database: see ``TestDatabase``), and a clock the test moves by hand.
final class StoreFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("store")
    let store: Store
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws {
        store = try TestDatabase.open(path: dir.path("db/newsletter.db"), busyTimeout: 5)
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func advance(_ seconds: TimeInterval) {
        lock.lock()
        time += seconds
        lock.unlock()
    }

    func directory(actor: String = "cli:test") -> SubscriberDirectory {
        SubscriberDirectory(store: store, actor: actor, now: { [self] in now })
    }

    func count(_ table: String) throws -> Int {
        try store.read { tx in try tx.count(table) }
    }
}

extension StoreTransaction {
    func count(_ table: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
    }
}
