import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body (the WHATWG URL standard's parser): `+` is
/// a space, `%XX` a byte, and a field may repeat (`topics=a&topics=b`). Bytes that are not
/// UTF-8 become U+FFFD rather than failing, as browsers do.
public struct FormBody: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    public init(parsing bytes: some Sequence<UInt8>) {
        var fields: [(String, String)] = []
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        func finish() {
            if !name.isEmpty || inValue {
                fields.append((Self.decode(name), Self.decode(value)))
            }
            name = []
            value = []
            inValue = false
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): finish()
            case UInt8(ascii: "=") where !inValue: inValue = true
            default:
                if inValue { value.append(byte) } else { name.append(byte) }
            }
        }
        finish()
        self.fields = fields
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    public static func == (lhs: FormBody, rhs: FormBody) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    static func decode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

extension FormBody {
    /// The request's body as a form. ``BodyLimitMiddleware`` has already read it (within
    /// 16 KB), so this does not wait on the network.
    static func read(_ request: Request) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: WebContext.bodyLimit)
        return FormBody(parsing: buffer.readableBytesView)
    }
}
