import Foundation
import NewsletterCore
import Testing

@testable import NewsletterContent

@Suite("Scanning the fixture site")
struct FixtureSiteTests {
    let fixture: ContentFixture
    let report: ScanReport

    init() throws {
        fixture = try ContentFixture(settings: ContentSettings(maxFileSize: 8 << 10))
        try FixtureSite.write(to: fixture)
        report = try fixture.scan()
    }

    @Test("the first scan is the baseline: everything tracked, nothing announced")
    func baseline() throws {
        #expect(report.baseline)
        #expect(report.events.isEmpty)
        #expect(try fixture.events().isEmpty)
        #expect(report.posts == 4)
    }

    @Test("every page has its exact title, marker, URL, topics, status and summary", arguments: FixtureSite.expected)
    func page(_ expected: FixtureSite.Expected) throws {
        let page = try #require(try fixture.page(expected.path), "\(expected.path) is not tracked")
        #expect(page.title == expected.title)
        #expect(page.lastUpdated == expected.lastUpdated)
        #expect(page.url == expected.url)
        #expect(page.topics == expected.topics)
        #expect(page.status == expected.status)
        if let summary = expected.summary { #expect(page.summary == summary) }
        if let published = expected.publishedOn { #expect(page.publishedOn == published) }
    }

    @Test("bad input gives one warning naming the file and the reason, and the scan goes on")
    func warnings() throws {
        let found = report.warnings.map { ($0.path, $0.reason) }.sorted { $0.0 < $1.0 }
        #expect(found.map(\.0) == FixtureSite.warnings.map(\.0), "\(report.warnings)")
        for ((path, reason), (expectedPath, start)) in zip(found, FixtureSite.warnings) where path == expectedPath {
            #expect(reason.hasPrefix(start), "\(path): \(reason)")
        }
        #expect(try fixture.page("bad/binary.md")?.status == .skipped)
        #expect(try fixture.page("bad/huge.txt")?.status == .skipped)
        #expect(try fixture.page("bad/huge.txt")?.problem?.hasPrefix("larger than") == true)
    }

    @Test("files that are not pages are not tracked")
    func ignored() throws {
        let tracked = Set(try fixture.store.read { tx in try tx.contentPages() }.map(\.path))
        let expected = Set(FixtureSite.expected.map(\.path) + ["bad/binary.md", "bad/huge.txt"])
        #expect(tracked == expected)
    }

    @Test("a rescan with nothing changed reads nothing and announces nothing")
    func rescan() throws {
        fixture.advance(days: 1)
        let again = try fixture.scan()
        #expect(!again.baseline)
        #expect(again.events.isEmpty)
        #expect(again.filesRead == 2)  // the two files that could not be read are tried again
        #expect(again.filesSeen == report.filesSeen)
    }

    @Test("--announce-existing announces every dated page and published post once")
    func announceExisting() throws {
        let announced = try fixture.scan(announceExisting: true)
        let dated = FixtureSite.expected.filter { $0.status == .current }.count
        #expect(announced.events.filter { $0.kind == .pageUpdated }.count == dated)
        #expect(Set(announced.events.filter { $0.kind == .postPublished }.map(\.path)) == ["blog/2024-03-12-respite-grants.md", "blog/carers-week.md"])
        let advocacy = try #require(announced.events.first { $0.path == "support/advocacy.txt" })
        #expect(advocacy.marker == "2022-05-05")
        #expect(advocacy.title == "Advocacy services")
        #expect(advocacy.url == "https://carers.example.org/support/advocacy")
        #expect(advocacy.topics == ["support"])
        #expect(try fixture.scan(announceExisting: true).events.isEmpty)
    }
}
