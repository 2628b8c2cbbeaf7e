import Foundation
import NewsletterCore
import Testing

@testable import NewsletterContent

/// A page swapped for a symlink between the walk that checked it and the read that opens it
/// (defect 12): the read itself must refuse a file outside the content folder.
@Suite("Content symlink swaps")
struct SymlinkSwapTests {
    let fixture: ContentFixture
    let secret: String

    init() throws {
        fixture = try ContentFixture()
        secret = try fixture.dir.write("outside/secret.md", Data("---\ntitle: Secret\n---\nThe private key is hunter2.\n".utf8))
        try fixture.write("news.md", "---\ntitle: News\n---\nOpening hours change in May.\n")
        try fixture.write("contact.md", "---\ntitle: Contact\n---\nRing the office on Mondays.\n")
    }

    /// Walks, then replaces `news.md` with a symlink to `target`, then reads what the walk found.
    private func observeAfterSwap(to target: String) throws -> ObservedPage {
        let scanner = try fixture.scanner()
        let walked = TreeWalker(root: try fixture.site().root).walk()
        let found = try #require(walked.files.first { $0.path == "news.md" })
        try fixture.remove("news.md")
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/news.md", withDestinationPath: target)
        return scanner.observe(found)
    }

    @Test("a page swapped for a symlink to a file outside the folder is not read")
    func swapToOutside() throws {
        let observed = try observeAfterSwap(to: secret)
        switch observed.content {
        case .page(let details):
            Issue.record("read the file outside the content folder: \(details.title), \(details.summary ?? "")")
        case .problem(let reason):
            #expect(reason.contains("symlink points outside the content folder"))
            #expect(reason.contains("secret.md"))
        }
    }

    @Test("a page swapped for a symlink inside the folder is still read")
    func swapToInside() throws {
        let observed = try observeAfterSwap(to: "contact.md")
        guard case .page(let details) = observed.content else {
            Issue.record("a symlink inside the folder was refused: \(observed.content)")
            return
        }
        #expect(details.title == "Contact")
    }

    @Test("a folder on the way swapped for a symlink outside is not read through")
    func swapFolderToOutside() throws {
        try fixture.write("support/carers.md", "---\ntitle: Carers\n---\nSupport for carers.\n")
        let scanner = try fixture.scanner()
        let found = try #require(TreeWalker(root: try fixture.site().root).walk().files.first { $0.path == "support/carers.md" })
        try fixture.remove("support")
        _ = try fixture.dir.write("outside/carers.md", Data("---\ntitle: Elsewhere\n---\nNot part of the site.\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/support", withDestinationPath: fixture.dir.path("outside"))
        guard case .problem(let reason) = scanner.observe(found).content else {
            Issue.record("read through a folder symlink leading outside the content folder")
            return
        }
        #expect(reason.contains("outside the content folder"))
    }
}
