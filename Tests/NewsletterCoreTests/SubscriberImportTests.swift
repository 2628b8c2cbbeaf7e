import Foundation
import Testing

@testable import NewsletterCore

@Suite("Subscriber CSV import")
struct SubscriberImportTests {
    let fixture: StoreFixture
    let importer = SubscriberImport()

    init() throws {
        fixture = try StoreFixture()
    }

    func run(_ csv: String, dryRun: Bool = false) throws -> SubscriberImport.Report {
        let checked = try importer.check(Data(csv.utf8), source: "people.csv")
        return try importer.apply(checked, to: fixture.store, actor: "import:people.csv", wording: "paper forms", dryRun: dryRun, now: fixture.now)
    }

    @Test("rows become subscribers with their preferences and a consent record each")
    func imports() throws {
        let report = try run("""
            email,name,digest,blog,topics
            ann@example.org,Ann,monthly,immediate,Carers;Mental health
            bob@example.org,,,,
            "cy@example.org","Ó Briain, Cy",daily,off,

            """)
        #expect(report.added == 3)
        #expect(report.rows == 3)
        let ann = try fixture.store.read { tx in try tx.subscriber(key: "ann@example.org") }
        #expect(ann?.digest == .monthly)
        #expect(ann?.blog == .immediate)
        #expect(ann?.topics == ["carers", "mental-health"])
        let bob = try fixture.store.read { tx in try tx.subscriber(key: "bob@example.org") }
        #expect(bob?.digest == .weekly)
        #expect(bob?.blog == .digest)
        #expect(bob?.name == nil)
        #expect(try fixture.store.read { tx in try tx.subscriber(key: "cy@example.org") }?.name == "Ó Briain, Cy")
        #expect(try fixture.count("consent_log") == 3)
    }

    @Test("columns may come in any order, in any case; export-only columns are ignored")
    func columnOrder() throws {
        let report = try run("Topics,EMAIL,status,created_at\r\nmoney,ann@example.org,unsubscribed,2020-01-01\r\n")
        #expect(report.added == 1)
        let ann = try fixture.store.read { tx in try tx.subscriber(key: "ann@example.org") }
        #expect(ann?.status == .active)
        #expect(ann?.topics == ["money"])
    }

    @Test("every bad row is reported with its line, and nothing is imported")
    func allOrNothing() throws {
        let checked = try importer.check(Data("""
            email,name,digest
            ann@example.org,Ann,weekly
            not-an-address,Bob,weekly
            cy@example.org,Cy,fortnightly
            dee@example.org,Dee,weekly,extra

            """.utf8), source: "people.csv")
        #expect(checked.rows.count == 1)
        #expect(checked.problems.map(\.description) == [
            "line 3: invalid email address \"not-an-address\": it has no @",
            "line 4: digest \"fortnightly\" is not one of daily, weekly, monthly, off",
            "line 5: has 4 fields but the header has 3; quote any field holding a comma",
        ])
        #expect(try fixture.count("subscriber") == 0)
    }

    @Test("importing the same file twice changes nothing the second time")
    func idempotent() throws {
        let csv = "email,name\nann@example.org,Ann\nbob@example.org,Bob\n"
        #expect(try run(csv).added == 2)
        let second = try run(csv)
        #expect(second.added == 0)
        #expect(second.alreadyOnList == 2)
        #expect(try fixture.count("subscriber") == 2)
        #expect(try fixture.count("consent_log") == 2)
    }

    @Test("suppressed addresses are skipped and counted; repeats in the file are skipped")
    func suppressedAndRepeated() throws {
        let directory = fixture.directory()
        try directory.add(NewSubscriber(email: EmailAddress("gone@example.org")), wording: "w")
        try directory.remove(EmailAddress("gone@example.org"))
        try directory.erase(EmailAddress("erased@example.org"))
        let report = try run("email\nGONE@example.org\nerased@example.org\nnew@example.org\nNEW@example.org\n")
        #expect(report.added == 1)
        #expect(report.suppressed == 2)
        #expect(report.duplicates == [5])
        #expect(try fixture.store.read { tx in try tx.subscriber(key: "gone@example.org") }?.status == .unsubscribed)
    }

    @Test("a dry run reports exactly and writes nothing")
    func dryRun() throws {
        try fixture.directory().add(NewSubscriber(email: EmailAddress("ann@example.org")), wording: "w")
        let report = try run("email\nann@example.org\nbob@example.org\n", dryRun: true)
        #expect(report.added == 1)
        #expect(report.alreadyOnList == 1)
        #expect(report.dryRun)
        #expect(try fixture.count("subscriber") == 1)
        #expect(try fixture.count("consent_log") == 1)
    }

    @Test("files with no usable header are refused")
    func badHeaders() {
        for (csv, message) in [
            ("", "people.csv is empty; it needs a header line: email,name,digest,blog,topics"),
            ("name\nAnn\n", "people.csv, line 1: no email column; the first line must be a header such as email,name,digest,blog,topics"),
            ("email,nmae\n", "people.csv, line 1: unknown column \"nmae\"; the columns are email,name,digest,blog,topics"),
            ("email,Email\n", "people.csv, line 1: column email appears twice"),
        ] {
            #expect(throws: NewsletterError.badData(message)) { try importer.check(Data(csv.utf8), source: "people.csv") }
        }
    }

    @Test("names with control characters are refused; the export's formula guard is removed")
    func names() throws {
        let checked = try importer.check(Data("email,name\na@example.org,\"Ann\rBcc: x\"\nb@example.org,'=Bob\n".utf8), source: "p.csv")
        #expect(checked.problems.count == 1)
        #expect(checked.problems.first?.line == 2)
        #expect(checked.rows.first?.subscriber.name == "=Bob")
    }

    @Test("an export imports back to the same people and preferences")
    func exportRoundTrip() throws {
        _ = try run("email,name,digest,blog,topics\nann@example.org,\"Smith, Ann\",daily,off,carers;money\nbob@example.org,=Bob,,,\n")
        var exported = CSVWriter.line(SubscriberFormats.csvHeader)
        try fixture.store.read { tx in
            try tx.forEachSubscriber(SubscriberFilter()) { exported += CSVWriter.line(SubscriberFormats.csvFields($0)) }
        }
        let other = try StoreFixture()
        let checked = try importer.check(Data(exported.utf8), source: "export.csv")
        #expect(checked.problems.isEmpty)
        #expect(try importer.apply(checked, to: other.store, actor: "t", wording: "w", dryRun: false).added == 2)
        let original = try fixture.store.read { tx in try tx.subscriber(key: "ann@example.org") }
        let copy = try other.store.read { tx in try tx.subscriber(key: "ann@example.org") }
        #expect(copy?.name == original?.name)
        #expect(copy?.digest == .daily)
        #expect(copy?.blog == .off)
        #expect(copy?.topics == ["carers", "money"])
        #expect(try other.store.read { tx in try tx.subscriber(key: "bob@example.org") }?.name == "=Bob")
    }
}
