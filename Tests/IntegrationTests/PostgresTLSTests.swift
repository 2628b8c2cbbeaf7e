import Foundation
import NewsletterStoreTestSupport
import NewsletterTestSupport
import Testing

/// database.url's sslmode against the test cluster, which offers TLS with a certificate
/// for 127.0.0.1 signed by a CA of its own.
@Suite("TLS to PostgreSQL: sslmode honoured, certificates verified")
struct PostgresTLSTests {
    static var ca: String { ProcessInfo.processInfo.environment["NEWSLETTER_TEST_POSTGRES_CA"] ?? "" }
    static var otherCA: String { ProcessInfo.processInfo.environment["NEWSLETTER_TEST_POSTGRES_OTHER_CA"] ?? "" }

    /// `newsletterctl subscribers list` on the cluster's `postgres` database with `query` in the URL.
    static func list(_ query: String, host: String = "127.0.0.1") async throws -> CommandResult {
        let port = try #require(PostgresTestCluster.port)
        let fixture = try CLIFixture(mail: false)
        let yaml = "database:\n  url: postgresql://postgres@\(host):\(port)/postgres?\(query)\n"
        let config = try fixture.dir.write("tls.yaml", yaml)
        return try await Binaries.run("newsletterctl", ["subscribers", "list", "--config", config])
    }

    @Test("verify-full with the CA that signed the server's certificate connects; require and verify-ca too")
    func verified() async throws {
        for mode in ["verify-full", "verify-ca", "require"] {
            let result = try await Self.list("sslmode=\(mode)&sslrootcert=\(Self.ca)")
            #expect(result.status == 0, "\(mode): \(result)")
        }
    }

    @Test("a certificate another CA signed is refused, require included: one line, exit 69, nothing read")
    func refused() async throws {
        for mode in ["verify-full", "verify-ca", "require"] {
            let result = try await Self.list("sslmode=\(mode)&sslrootcert=\(Self.otherCA)")
            #expect(result.status == 69, "\(mode): \(result)")
            #expect(result.stderrLines.count == 1 && result.stderr.contains("cannot connect to postgresql://postgres@127.0.0.1"), "\(mode): \(result.stderr)")
            #expect(result.stderr.contains("certificate is not signed by a CA trusted here (sslrootcert \(Self.otherCA))"), "\(result.stderr)")
        }
    }

    @Test("verify-full checks the host name: the certificate names 127.0.0.1 and localhost, not the machine's other names")
    func hostName() async throws {
        let good = try await Self.list("sslmode=verify-full&sslrootcert=\(Self.ca)", host: "localhost")
        #expect(good.status == 0, "\(good)")
        // The same server reached by an address its certificate does not name.
        let wrong = try await Self.list("sslmode=verify-full&sslrootcert=\(Self.ca)", host: "127.0.0.2")
        #expect(wrong.status == 69 && wrong.stderr.contains("the server's certificate does not name 127.0.0.2"), "\(wrong)")
        let unchecked = try await Self.list("sslmode=verify-ca&sslrootcert=\(Self.ca)", host: "127.0.0.2")
        #expect(unchecked.status == 0, "verify-ca does not check the name: \(unchecked)")
    }

    @Test("disable and prefer connect without verifying, as libpq's do")
    func unverified() async throws {
        #expect(try await Self.list("sslmode=disable").status == 0)
        #expect(try await Self.list("sslmode=prefer&sslrootcert=\(Self.otherCA)").status == 0)
    }

    @Test("an sslrootcert that cannot be read is a config error naming it")
    func missingRoot() async throws {
        let result = try await Self.list("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
        #expect(result.status == 78 && result.stderr.contains("/nonexistent/ca.pem"), "\(result)")
    }
}
