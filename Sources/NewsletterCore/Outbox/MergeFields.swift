import Foundation

/// Merge fields as stored in the outbox: a flat JSON object of strings with sorted keys.
///
/// Written and read once per message on the digest and sending paths, so both directions
/// are done by hand: Foundation's JSONSerialization took a third of a 100,000-digest run.
/// Anything the fast reader does not expect goes to JSONSerialization.
enum MergeFields {
    static func encode(_ fields: [String: String]) -> String {
        var out = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(fields[key]!, to: &out)
        }
        return out + "}"
    }

    static func decode(_ json: String) -> [String: String] {
        if let fast = fastDecode(json) { return fast }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] else { return [:] }
        return object
    }

    private static func appendString(_ value: String, to out: inout String) {
        out += "\""
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    /// Reads objects whose strings hold no escapes, which is what `encode` writes for
    /// ordinary names and URLs; nil for anything else.
    private static func fastDecode(_ json: String) -> [String: String]? {
        let bytes = Array(json.utf8)
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}"), !bytes.contains(0x5C) else { return nil }
        var fields: [String: String] = [:]
        var index = 1
        func string() -> String? {
            guard index < bytes.count, bytes[index] == 0x22 else { return nil }
            let start = index + 1
            guard let end = bytes[start...].firstIndex(of: 0x22) else { return nil }
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        if bytes.count == 2 { return [:] }
        while index < bytes.count - 1 {
            guard let key = string(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = string() else { return nil }
            fields[key] = value
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] != UInt8(ascii: "}") {
                return nil
            }
        }
        return fields
    }
}
