import ArgumentParser
import CommandSupport
import Foundation
import NewsletterCore

struct SubscriberStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts of subscribers by status and preference, and of the suppression list.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "text or json.")
    var format: TextFormat = .text

    func run() throws {
        let (_, store) = try global.open()
        let stats = try SubscriberStats.gather(from: store)
        let out = StandardOutput.shared
        switch format {
        case .json:
            let object: [String: Any] = [
                "total": stats.total,
                "by_status": Dictionary(uniqueKeysWithValues: SubscriberStatus.allCases.map { ($0.rawValue, stats.byStatus[$0] ?? 0) }),
                "active_by_digest": Dictionary(uniqueKeysWithValues: DigestCadence.allCases.map { ($0.rawValue, stats.activeByDigest[$0] ?? 0) }),
                "active_by_blog": Dictionary(uniqueKeysWithValues: BlogMode.allCases.map { ($0.rawValue, stats.activeByBlog[$0] ?? 0) }),
                "suppressed": Dictionary(uniqueKeysWithValues: SuppressionReason.allCases.map { ($0.rawValue, stats.suppressed[$0] ?? 0) }),
                "joined_last_30_days": stats.joinedLast30Days,
                "left_last_30_days": stats.leftLast30Days,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            out.line(String(decoding: data, as: UTF8.self))
        case .text:
            func row(_ label: String, _ value: Int) -> String {
                label.padding(toLength: 16, withPad: " ", startingAt: 0) + value.formatted()
            }
            out.line("Subscribers: \(stats.total.formatted())")
            for status in SubscriberStatus.allCases { out.line("  " + row(status.rawValue, stats.byStatus[status] ?? 0)) }
            out.line("Active, by digest:")
            for cadence in DigestCadence.allCases { out.line("  " + row(cadence.rawValue, stats.activeByDigest[cadence] ?? 0)) }
            out.line("Active, by blog posts:")
            for mode in BlogMode.allCases { out.line("  " + row(mode.rawValue, stats.activeByBlog[mode] ?? 0)) }
            out.line("Suppression list: \(stats.suppressed.values.reduce(0, +).formatted())")
            for reason in SuppressionReason.allCases { out.line("  " + row(reason.rawValue, stats.suppressed[reason] ?? 0)) }
            out.line("Last 30 days: \(stats.joinedLast30Days.formatted()) joined, \(stats.leftLast30Days.formatted()) unsubscribed")
        }
    }
}
