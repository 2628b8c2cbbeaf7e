import Foundation
import NewsletterTestSupport
import Testing

@Suite("Several processes sharing one database")
struct ConcurrencyTests {
    @Test("two imports and a stream of adds, all at once, lose nothing")
    func concurrentWriters() async throws {
        let fixture = try CLIFixture()
        func people(_ prefix: String, _ count: Int) -> String {
            "email,name\n" + (0..<count).map { "\(prefix)\($0)@example.org,Person \($0)\n" }.joined()
        }
        let first = try fixture.dir.write("first.csv", people("first", 3000))
        let second = try fixture.dir.write("second.csv", people("second", 3000))

        let importA = try Binaries.start("newsletterctl", ["subscribers", "import", first, "--config", fixture.config])
        let importB = try Binaries.start("newsletterctl", ["subscribers", "import", second, "--config", fixture.config])
        let adders = try (0..<3).map { worker in
            try Binaries.start(
                "bash",
                ["-c", "for i in $(seq 1 10); do \"$0\" subscribers add \"add\(worker)-$i@example.org\" --config \"$1\" || exit 1; done",
                 Binaries.path("newsletterctl"), fixture.config])
        }
        var results = [await importA.wait(), await importB.wait()]
        for adder in adders { results.append(await adder.wait()) }
        for result in results { #expect(result.status == 0, "\(result)") }

        let emails = Set(try await fixture.emails())
        #expect(emails.count == 6030)
        #expect(emails.contains("first2999@example.org"))
        #expect(emails.contains("second0@example.org"))
        #expect(emails.contains("add2-10@example.org"))
    }

    @Test("several processes opening a new database at once all migrate it cleanly")
    func concurrentFirstOpen() async throws {
        let fixture = try CLIFixture()
        let processes = try (0..<6).map { index in
            try Binaries.start("newsletterctl", ["subscribers", "add", "p\(index)@example.org", "--config", fixture.config])
        }
        for process in processes {
            let result = await process.wait()
            #expect(result.status == 0, "\(result)")
        }
        #expect(try await fixture.emails().count == 6)
    }
}
