import ArgumentParser
import CommandSupport
import NewsletterCore

@main
struct NewsletterCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletterctl",
        abstract: "Manage the carers newsletter: subscribers, content, digests and the delivery queue.",
        discussion: "Exit statuses follow sysexits(3): 64 usage, 65 bad data, 66 missing input, "
            + "67 no such subscriber, 69 unavailable, 73 cannot create, 75 try again later, 78 config.",
        version: NewsletterVersion.current,
        subcommands: [SubscribersCommand.self, ContentCommand.self, DigestCommand.self, QueueCommand.self, SendTestCommand.self, StatusCommand.self, ConfigCommand.self, LinksCommand.self, DatabaseCommand.self])

    static func main() {
        CommandRunner.main(self)
    }
}

struct SubscribersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "Add, change, list, import, export and remove subscribers.",
        subcommands: [
            AddSubscriber.self, UpdateSubscriber.self, RemoveSubscriber.self, EraseSubscriber.self, ShowSubscriber.self,
            ListSubscribers.self, ImportSubscribers.self, ExportSubscribers.self, SubscriberStatsCommand.self,
        ])
}
