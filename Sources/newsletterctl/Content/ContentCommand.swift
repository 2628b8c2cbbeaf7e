import ArgumentParser

struct ContentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content",
        abstract: "Scan the site's pages and blog posts, list what is tracked, and show the change events.",
        subcommands: [ScanContent.self, ListContent.self, ContentEvents.self])
}
