import Foundation
import GRDB
import NewsletterCore
import NewsletterTestSupport
import Testing

/// A database on a small tmpfs that fills up mid-run. Mounting needs root, as CI runs here.
@Suite("A full disk")
struct FullDiskTests {
    final class SmallDisk: @unchecked Sendable {
        let path: String
        private var mounted = true

        init(megabytes: Int) async throws {
            path = TemporaryDirectory("disk").path + "-mount"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let result = try await Binaries.run("mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
            guard result.status == 0 else { throw TestSetupError("cannot mount a tmpfs (the reliability tests need root): \(result)") }
        }

        func resize(megabytes: Int) async throws {
            let result = try await Binaries.run("mount", ["-o", "remount,size=\(megabytes)m", path])
            guard result.status == 0 else { throw TestSetupError("cannot resize the tmpfs: \(result)") }
        }

        func unmount() async {
            _ = try? await Binaries.run("umount", ["-l", path])
            try? FileManager.default.removeItem(atPath: path)
            mounted = false
        }

        deinit {
            // A test that threw before unmount(): detach without waiting, which deinit cannot.
            if mounted { _ = try? Binaries.start("umount", ["-l", path]) }
        }
    }

    @Test("the disk fills during an import and a digest run: clear errors, no damage, and the work resumes when space returns")
    func fillsUp() async throws {
        let disk = try await SmallDisk(megabytes: 2)
        let serverDir = TemporaryDirectory("smtp")
        let server = try await ScriptedSMTPServer(in: serverDir)
        let fixture = try ReliabilityFixture(smtpPort: server.port, databaseFolder: disk.path)
        try await fixture.editSite()

        let csv = "email,name\n" + (0..<10_000).map { "carer\($0)@example.org,Carer \($0)\n" }.joined()
        let file = try fixture.dir.write("people.csv", csv)
        var result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.status == 75, "\(result)")
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("the disk is full; nothing was changed"), "\(result.stderr)")
        #expect(try await fixture.integrityCheck() == "ok")
        #expect(try await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriber") } == 0)

        try await disk.resize(megabytes: 64)
        result = try await fixture.ctl("subscribers", "import", file)
        #expect(result.status == 0, "\(result)")

        // Shrink the disk under the database again: the digest run cannot finish.
        let used = try FileManager.default.attributesOfFileSystem(forPath: disk.path)
        let free = (used[.systemFreeSize] as? NSNumber)?.intValue ?? 0
        let total = (used[.systemSize] as? NSNumber)?.intValue ?? 0
        try await disk.resize(megabytes: max(1, (total - free) / 1_048_576 + 1))
        let once = try await Binaries.run("newsletterd", ["--once", "--config", fixture.config])
        #expect(once.status == 75, "\(once)")
        #expect(once.stderr.contains("disk is full"), "\(once.stderr)")
        #expect(try await fixture.integrityCheck() == "ok")

        try await disk.resize(megabytes: 256)
        let retry = try await Binaries.run("newsletterd", ["--once", "--config", fixture.config])
        #expect(retry.status == 0, "\(retry)")
        let digests = try await fixture.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM digest") }
        #expect(digests == 10_000)
        #expect(try await fixture.unsent() == 0)
        #expect(receivedCounts(server).count == 10_000)
        #expect(try await fixture.integrityCheck() == "ok")
        await disk.unmount()
    }
}
