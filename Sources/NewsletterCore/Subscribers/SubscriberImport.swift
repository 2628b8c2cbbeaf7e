import Foundation

/// Reads a subscribers CSV (header `email,name,digest,blog,topics`, topics `;`-separated)
/// and adds its people in one transaction.
///
/// Every row is checked before anything is written; by default one bad row stops the whole
/// file. Addresses already on the list are left as they are, so importing a file twice
/// changes nothing, and suppressed addresses are skipped and counted.
public struct SubscriberImport: Sendable {
    /// The columns an import understands. `export` writes these and a few more, which an
    /// import accepts and ignores, so an export can be imported again.
    public static let columns = ["email", "name", "digest", "blog", "topics"]
    public static let ignoredColumns = ["status", "created_at", "updated_at"]
    /// Headers taken as the first name a subscriber is greeted by (`export` writes the first).
    public static let firstNameColumns = ["first_name", "firstname", "first name", "given_name", "givenname", "given name", "forename"]

    public struct Row: Sendable {
        public var line: Int
        public var subscriber: NewSubscriber
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// What an import did, or would do.
    public struct Report: Sendable, Equatable {
        public var rows = 0
        public var added = 0
        public var alreadyOnList = 0
        public var suppressed = 0
        /// Lines whose address appeared earlier in the same file.
        public var duplicates: [Int] = []
        public var invalid: [Problem] = []
        public var dryRun = false
    }

    /// The file's rows, checked: the good ones, and a problem for each bad one.
    public struct Checked: Sendable {
        public var rows: [Row]
        public var problems: [Problem]
        public var duplicates: [Int]
    }

    public var defaultStatus: SubscriberStatus

    public init(defaultStatus: SubscriberStatus = .active) {
        self.defaultStatus = defaultStatus
    }

    /// Reads the file at `path`, failing with exit 66 when it cannot be read.
    public static func load(path: String) throws -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw NewsletterError.noInput("subscribers file \(path) not found")
        }
        if isFolder.boolValue { throw NewsletterError.noInput("\(path) is a folder; give the path of a CSV file") }
        // A device (/dev/zero) would be read for ever. A pipe is fine: /dev/stdin, <(command).
        var info = stat()
        if stat(path, &info) == 0, ![S_IFREG, S_IFIFO].contains(info.st_mode & S_IFMT) {
            throw NewsletterError.noInput("\(path) is not a regular file; give the path of a CSV file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw NewsletterError.noInput("cannot read subscribers file \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw NewsletterError.noInput("cannot read subscribers file \(path): \(SystemErrorReason.text(error))")
        }
    }

    /// Parses and checks every row. Throws only when the file as a whole is unusable (no
    /// header, an unknown column, broken quoting); row problems are returned.
    public func check(_ data: Data, source: String, progress: ((Int) -> Void)? = nil) throws -> Checked {
        var records = try CSVReader.records(in: data, source: source).makeIterator()
        guard let header = records.next() else {
            throw NewsletterError.badData("\(source) is empty; it needs a header line: \(Self.columns.joined(separator: ","))")
        }
        let layout = try Layout(header: header, source: source)

        var checked = Checked(rows: [], problems: [], duplicates: [])
        var firstLine: [String: Int] = [:]
        var count = 0
        while let record = records.next() {
            count += 1
            if count % 10_000 == 0 { progress?(count) }
            do {
                let row = try layout.row(record, status: defaultStatus)
                if firstLine[row.subscriber.email.key] != nil {
                    checked.duplicates.append(record.line)
                } else {
                    firstLine[row.subscriber.email.key] = record.line
                    checked.rows.append(row)
                }
            } catch let error as NewsletterError {
                checked.problems.append(Problem(line: record.line, reason: error.message))
            }
        }
        progress?(count)
        return checked
    }

    /// Adds the checked rows in one transaction (rolled back when `dryRun`), with a consent
    /// record for each new subscriber.
    public func apply(
        _ checked: Checked, to store: Store, actor: String, wording: String, dryRun: Bool, now: Date = Date(),
        progress: ((Int) -> Void)? = nil
    ) throws -> Report {
        let wording = try ConsentWording.validated(wording)
        var report = Report(rows: checked.rows.count + checked.problems.count + checked.duplicates.count)
        report.duplicates = checked.duplicates
        report.invalid = checked.problems
        report.dryRun = dryRun
        let body = { (tx: StoreTransaction) throws -> Report in
            var report = report
            for (index, row) in checked.rows.enumerated() {
                if index % 10_000 == 9_999 { progress?(index + 1) }
                if try tx.suppression(hash: row.subscriber.email.hash) != nil {
                    report.suppressed += 1
                    continue
                }
                guard let id = try tx.insertSubscriber(row.subscriber, at: now) else {
                    report.alreadyOnList += 1
                    continue
                }
                try tx.appendConsent(
                    ConsentEntry(at: now, actor: actor, action: .subscribed, toStatus: row.subscriber.status, wording: wording),
                    subscriberID: id)
                report.added += 1
            }
            progress?(checked.rows.count)
            return report
        }
        return dryRun ? try store.rehearse(body) : try store.write(body)
    }

    /// Where each known column sits in the file.
    struct Layout {
        var email: Int
        var name: Int?
        var firstName: Int?
        var digest: Int?
        var blog: Int?
        var topics: Int?
        var width: Int

        init(header: CSVRecord, source: String) throws {
            var positions: [String: Int] = [:]
            for (index, raw) in header.fields.enumerated() {
                let column = raw.trimmingSpaces.lowercased()
                if column.isEmpty { continue }
                guard SubscriberImport.columns.contains(column) || SubscriberImport.ignoredColumns.contains(column)
                    || SubscriberImport.firstNameColumns.contains(column)
                else {
                    throw NewsletterError.badData(
                        "\(source), line \(header.line): unknown column \(raw.quotedForDisplay); the columns are \(SubscriberImport.columns.joined(separator: ","))")
                }
                if SubscriberImport.firstNameColumns.contains(column) {
                    if let other = positions.keys.first(where: SubscriberImport.firstNameColumns.contains) {
                        throw NewsletterError.badData("\(source), line \(header.line): columns \(other) and \(column) are both a first name; keep one")
                    }
                }
                if positions[column] != nil {
                    throw NewsletterError.badData("\(source), line \(header.line): column \(column) appears twice")
                }
                positions[column] = index
            }
            guard let email = positions["email"] else {
                throw NewsletterError.badData(
                    "\(source), line \(header.line): no email column; the first line must be a header such as \(SubscriberImport.columns.joined(separator: ","))")
            }
            self.email = email
            name = positions["name"]
            firstName = SubscriberImport.firstNameColumns.lazy.compactMap { positions[$0] }.first
            digest = positions["digest"]
            blog = positions["blog"]
            topics = positions["topics"]
            width = header.fields.count
        }

        func row(_ record: CSVRecord, status: SubscriberStatus) throws -> Row {
            guard record.fields.count <= width else {
                throw NewsletterError.badData("has \(record.fields.count) fields but the header has \(width); quote any field holding a comma")
            }
            func field(_ index: Int?) -> String? {
                guard let index, index < record.fields.count else { return nil }
                let value = CSVWriter.unguard(record.fields[index].trimmingSpaces)
                return value.isEmpty ? nil : value
            }
            guard let rawEmail = field(email) else { throw NewsletterError.badData("the email field is empty") }
            let address = try EmailAddress(rawEmail)
            var subscriber = NewSubscriber(email: address, status: status)
            subscriber.name = try SubscriberName.validated(field(name))
            subscriber.firstName = try SubscriberName.validated(field(firstName), field: "first name")
            if let text = field(digest) {
                guard let value = DigestCadence(rawValue: text.lowercased()) else {
                    throw NewsletterError.badData("digest \(text.quotedForDisplay) is not one of \(DigestCadence.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                subscriber.digest = value
            }
            if let text = field(blog) {
                guard let value = BlogMode(rawValue: text.lowercased()) else {
                    throw NewsletterError.badData("blog \(text.quotedForDisplay) is not one of \(BlogMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                subscriber.blog = value
            }
            if let text = field(topics) { subscriber.topics = try Topic.slugs(semicolonSeparated: text) }
            return Row(line: record.line, subscriber: subscriber)
        }
    }
}

/// Display names go into the To: header, so they are checked like header text.
public enum SubscriberName {
    public static let maxLength = 200

    /// The trimmed name, nil when empty; throws for control characters or excess length.
    public static func validated(_ raw: String?, field: String = "name") throws -> String? {
        guard let raw else { return nil }
        let name = raw.trimmingSpaces
        if name.isEmpty { return nil }
        let plainASCII = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if !plainASCII, name.hasLineBreakOrControl {
            throw NewsletterError.badData("\(field) \(name.quotedForDisplay) contains a line break or control character")
        }
        if name.utf8.count > maxLength, name.count > maxLength {
            throw NewsletterError.badData("\(field) is longer than \(maxLength) characters")
        }
        return name
    }
}
