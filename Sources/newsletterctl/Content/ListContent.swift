import ArgumentParser
import CommandSupport
import NewsletterContent
import NewsletterCore

struct ListContent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every tracked page and post: path, title, URL, topics, last updated date and status.",
        discussion: """
            Statuses: current (a page with a date), no_marker (a page without one: never announced unless \
            content.fallback is hash), published, draft, scheduled (a post dated in the future), removed, and \
            skipped (a file that could not be read; see content scan).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "table or json.")
    var format: PageListFormat = .table

    func run() throws {
        let (_, store) = try global.open()
        let pages = try store.read { tx in try tx.contentPages() }
        let out = StandardOutput.shared
        switch format {
        case .json:
            out.line(try ContentFormats.array(pages.map(ContentFormats.PageJSON.init)))
        case .table:
            var table = TextTable(
                headers: ["PATH", "STATUS", "LAST UPDATED", "PUBLISHED", "TOPICS", "TITLE", "URL"],
                maxWidths: [40, 10, 20, 20, 24, 40, 70])
            for page in pages {
                table.append([
                    page.path, page.status.rawValue, page.lastUpdated ?? "-", page.kind == .post ? page.publishedOn ?? "-" : "",
                    page.topics.isEmpty ? "(all)" : page.topics.joined(separator: ","), page.title, page.url,
                ])
            }
            if !pages.isEmpty { out.write(table.render()) }
            let posts = pages.filter { $0.kind == .post }.count
            out.line("\(ScanContent.count(pages.count - posts, "page")) and \(ScanContent.count(posts, "blog post"))")
        }
    }
}

enum PageListFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}
