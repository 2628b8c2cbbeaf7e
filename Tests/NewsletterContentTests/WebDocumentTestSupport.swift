import CZlib
import Foundation

/// Helpers shared by the tests: compressing fixtures the way web servers do.
enum WebDocumentTestSupport {
    /// gzip (windowBits 31) or zlib (windowBits 15) compression with zlib's deflate.
    static func compress(_ bytes: [UInt8], windowBits: Int32 = 31) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, windowBits, 8,
                                   Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return -1 }
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        guard produced >= 0 else { return [] }
        return Array(output.prefix(produced))
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func date(_ iso: String) -> Date? { FeedDateProbe.parse(iso) }
}

/// Builds expected dates independently of the parser under test.
enum FeedDateProbe {
    static func parse(_ iso: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: iso) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: iso)
    }
}
