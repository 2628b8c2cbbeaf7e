import ArgumentParser
import CommandSupport
import NewsletterCore
import NewsletterDelivery

struct RetryQueued: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send failed, deferred or cancelled messages again, as soon as the daemon next looks.",
        discussion: "Give message ids, or --all-failed. The message keeps its Message-ID; its attempts and "
            + "delivery.max_age start afresh.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Message ids (from 'queue list').")
    var ids: [String] = []

    @Flag(help: "Every failed message whose subscriber is still on the list.")
    var allFailed = false

    func validate() throws {
        if ids.isEmpty == !allFailed {
            throw ValidationError(allFailed ? "give message ids or --all-failed, not both" : "give message ids, or --all-failed")
        }
    }

    func run() throws {
        let ids = try MessageIDs.parse(ids)
        let (_, store) = try global.open()
        let queue = OutboxQueue(store: store, actor: Actor.cli)
        let requeued = allFailed ? try queue.retryAllFailed() : try queue.retry(ids)
        let count = requeued.count
        StandardOutput.shared.line(
            count == 0 ? "Nothing to retry." : "Queued \(count.formatted()) message\(count == 1 ? "" : "s") to be sent again.")
    }
}

struct CancelQueued: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel queued, deferred or failed messages so they are never sent.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Message ids (from 'queue list').")
    var ids: [String]

    func run() throws {
        let ids = try MessageIDs.parse(ids)
        let (_, store) = try global.open()
        let cancelled = try OutboxQueue(store: store, actor: Actor.cli).cancel(ids)
        let count = cancelled.count
        StandardOutput.shared.line(
            count == 0 ? "Nothing to cancel: already cancelled." : "Cancelled \(count.formatted()) message\(count == 1 ? "" : "s").")
    }
}
