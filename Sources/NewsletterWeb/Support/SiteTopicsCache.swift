import Foundation
import NewsletterCore
import Synchronization

/// The site's topics, read in full (a `json_each` over every page) once per content scan
/// rather than on every form view.
///
/// Every scan, the daemon's watcher or `newsletterctl content scan` alike, stamps
/// `content_scan.last_scan_at` in the transaction that changes pages; one primary-key read
/// of that stamp tells whether the list may have changed. Before any scan there is no stamp
/// and nothing is cached.
final class SiteTopicsCache: Sendable {
    private let cached = Mutex<(stamp: Date?, topics: [String], scans: Int)>((nil, [], 0))

    func topics(_ store: Store) throws -> [String] {
        try store.read { tx in
            let stamp = try tx.contentScanState()?.lastScanAt
            if let stamp, let hit = cached.withLock({ $0.stamp == stamp ? $0.topics : nil }) { return hit }
            let topics = try tx.siteTopics()
            cached.withLock { $0 = (stamp, topics, $0.scans + 1) }
            return topics
        }
    }

    var scans: Int { cached.withLock { $0.scans } }
}
