/// Reads structured values from fuzzer bytes, in the manner of LLVM's FuzzedDataProvider:
/// single bytes for choices, and length-prefixed fields for text. Running out of bytes gives
/// zeros and empty fields, so every input means something.
public struct FuzzReader {
    private let bytes: [UInt8]
    private var index = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { index >= bytes.count }

    public mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// A field: a two-byte little-endian length, then that many bytes (fewer at the end).
    public mutating func field(maxLength: Int = 4096) -> [UInt8] {
        let length = Int(byte()) | Int(byte()) << 8
        let count = min(length, maxLength, bytes.count - min(index, bytes.count))
        defer { index += count }
        return Array(bytes[min(index, bytes.count)..<min(index, bytes.count) + count])
    }

    /// A field as text, invalid UTF-8 replaced.
    public mutating func text(maxLength: Int = 4096) -> String {
        String(decoding: field(maxLength: maxLength), as: UTF8.self)
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] {
        defer { index = bytes.count }
        return index < bytes.count ? Array(bytes[index...]) : []
    }
}

/// Writes what ``FuzzReader`` reads: the seeded generators build their inputs with it, so
/// a generated case can be saved to the corpus and replayed byte for byte.
public struct FuzzWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func field(_ value: [UInt8]) {
        let count = min(value.count, 0xFFFF)
        bytes.append(UInt8(count & 0xFF))
        bytes.append(UInt8(count >> 8))
        bytes.append(contentsOf: value.prefix(count))
    }

    public mutating func text(_ value: String) {
        field(Array(value.utf8))
    }

    public mutating func rest(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
    }
}
