import NewsletterCompose
import NewsletterCore

/// The address validator against an independent reading of its rules.
enum AddressFuzz {
    static func check(_ input: [UInt8]) -> [String] {
        let text = String(decoding: input, as: UTF8.self)
        var problems: [String] = []
        let expected = Reference.accepts(text)
        do {
            let address = try EmailAddress(text)
            problems += safe(address.value)
            if !expected { problems.append("accepted \(text.debugDescription), which the reference grammar refuses") }
            if let again = try? EmailAddress(address.value), again.value == address.value {
            } else {
                problems.append("\(address.value.debugDescription) does not validate again to itself")
            }
            if address.key != address.value.lowercased() { problems.append("the comparison key of \(address.value.debugDescription) is not its lowercase") }
            if !address.value.hasSuffix("@" + address.domain) { problems.append("the domain of \(address.value.debugDescription) is wrong") }
        } catch let error as NewsletterError {
            if expected { problems.append("refused \(text.debugDescription), which the reference grammar accepts: \(error.message)") }
            if error.exitStatus != .dataError { problems.append("exit status \(error.exitStatus) for an invalid address") }
            problems += Safe.message(error.message, "the error for \(text.debugDescription)")
        } catch {
            problems.append("unexpected error \(error) for \(text.debugDescription)")
        }

        // A mailbox as the config gives it ("Name <address>"): what it accepts builds a header.
        if let mailbox = try? Mailbox(parsing: text) {
            problems += safe(mailbox.address.value)
            do {
                let header = try HeaderEncoding.mailbox(mailbox)
                if header.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) {
                    problems.append("the From header for \(text.debugDescription) holds a control or 8-bit byte: \(header.debugDescription)")
                }
            } catch {
                problems.append("Mailbox(parsing:) accepted \(text.debugDescription) but the header serializer refused it: \(error)")
            }
        }
        return problems
    }

    /// What an accepted address must never hold: it goes into headers as it is and into SMTP
    /// commands (`RCPT TO:<address>`), where a space starts parameters and CR LF a command.
    static func safe(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if let bad = bytes.first(where: { $0 <= 0x20 || $0 >= 0x7F || "<>()[]\\,;:\"".utf8.contains($0) }) {
            problems.append("accepted address \(value.debugDescription) holds byte 0x\(String(bad, radix: 16))")
        }
        if bytes.filter({ $0 == UInt8(ascii: "@") }).count != 1 { problems.append("accepted address \(value.debugDescription) has not one @") }
        if bytes.count > 254 { problems.append("accepted address \(value.debugDescription) is over 254 octets") }
        return problems
    }

    /// The WHATWG "valid e-mail address" with RFC 5321's lengths and the dot-atom rule, written
    /// separately from the product's code, over the text trimmed as the product documents.
    enum Reference {
        static let edges: Set<UInt32> = [0x20, 0x09, 0xA0, 0xFEFF, 0x200B]
        static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".unicodeScalars.map(\.value))
        static let ldh = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".unicodeScalars.map(\.value))

        static func accepts(_ raw: String) -> Bool {
            var scalars = Array(raw.unicodeScalars.map(\.value))
            while let first = scalars.first, edges.contains(first) { scalars.removeFirst() }
            while let last = scalars.last, edges.contains(last) { scalars.removeLast() }
            guard scalars.count <= 254 else { return false }
            let parts = scalars.split(separator: 0x40, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return false }
            let local = parts[0], domain = parts[1]
            guard (1...64).contains(local.count), local.allSatisfy({ atext.contains($0) || $0 == 0x2E }) else { return false }
            let atoms = local.split(separator: 0x2E, omittingEmptySubsequences: false)
            guard atoms.allSatisfy({ !$0.isEmpty }) else { return false }
            let labels = domain.split(separator: 0x2E, omittingEmptySubsequences: false)
            return labels.allSatisfy { label in
                (1...63).contains(label.count) && label.allSatisfy { ldh.contains($0) } && label.first != 0x2D && label.last != 0x2D
            }
        }
    }

    static func generate<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        let atext = Array("abcxyzABC019.!#$%&'*+/=?^_`{|}~-")
        let ldh = Array("abcxyz019-")
        func run(_ chars: [Character], _ count: Int) -> String { String((0..<count).map { _ in chars.randomElement(using: &generator)! }) }
        let lengths = [1, 2, 5, 63, 64, 65]
        var local = run(atext, lengths.randomElement(using: &generator)!)
        if Bool.random(using: &generator) { local = local.replacingOccurrences(of: ".", with: "d") }
        var labels = (0..<Int.random(in: 1...5, using: &generator)).map { _ in run(ldh, [1, 3, 10, 62, 63, 64].randomElement(using: &generator)!) }
        if Bool.random(using: &generator) { labels = labels.map { $0.replacingOccurrences(of: "-", with: "h") } }
        var address = local + "@" + labels.joined(separator: ".")
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            let piece = HostileText.string(using: &generator, maxPieces: 2)
            let offset = Int.random(in: 0...address.count, using: &generator)
            address.insert(contentsOf: piece, at: address.index(address.startIndex, offsetBy: offset))
        }
        if Int.random(in: 0..<5, using: &generator) == 0 { address = "Name \(HostileText.string(using: &generator, maxPieces: 3)) <\(address)>" }
        return Array(address.utf8)
    }
}
