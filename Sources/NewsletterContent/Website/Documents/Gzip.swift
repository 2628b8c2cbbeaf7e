import CZlib

/// Bounded decompression for `.xml.gz` sitemaps and feeds served pre-compressed.
///
/// Output is produced in fixed-size chunks and the limit is checked before each chunk
/// is kept, so a gzip bomb costs at most `limit` bytes of memory and stops as soon as
/// it crosses the line rather than after it has been fully expanded.
enum Gzip {
    /// Size of each output chunk; small enough that overshooting the limit is cheap.
    private static let chunkSize = 64 * 1024
    /// zlib counts input in 32-bit units, so very large inputs are fed in slices.
    private static let maxInputSlice = 1 << 30

    /// True when the bytes start with the gzip magic number (1f 8b).
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses gzip or zlib data, never keeping more than `limit` bytes.
    ///
    /// Concatenated gzip members (what `cat a.gz b.gz` produces, and what some
    /// streaming compressors write) are decompressed one after another. Bytes after
    /// the last member that do not start another member are ignored, as gzip(1) does.
    static func inflate(_ bytes: [UInt8], limit: Int) throws(WebDocumentError) -> [UInt8] {
        guard !bytes.isEmpty else { throw .corrupt("the file is empty") }
        let result: Result<[UInt8], WebDocumentError> = bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return .failure(.corrupt("the file is empty")) }
            return inflate(base: base, count: input.count, limit: max(0, limit))
        }
        return try result.get()
    }

    private static func inflate(
        base: UnsafePointer<UInt8>, count: Int, limit: Int
    ) -> Result<[UInt8], WebDocumentError> {
        var stream = z_stream()
        // 15 + 32: the largest window, and let zlib recognise a gzip or a zlib header.
        let initStatus = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            return .failure(.corrupt("the decompressor could not start (zlib code \(initStatus))"))
        }
        defer { inflateEnd(&stream) }

        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        var output: [UInt8] = []
        // Typical sitemaps compress 5–20×; reserving more would let a tiny hostile
        // input make us allocate the whole limit up front.
        output.reserveCapacity(min(limit, count.multipliedReportingOverflow(by: 8).partialValue))
        var fed = 0

        while true {
            if stream.avail_in == 0, fed < count {
                let slice = min(count - fed, maxInputSlice)
                stream.next_in = UnsafeMutablePointer(mutating: base + fed)
                stream.avail_in = uInt(slice)
                fed += slice
            }
            stream.next_out = chunk
            stream.avail_out = uInt(chunkSize)
            let inputBefore = stream.avail_in

            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 {
                guard produced <= limit - output.count else { return .failure(.tooLarge(limit: limit)) }
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            }

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let remaining = Int(stream.avail_in) + (count - fed)
                guard remaining >= 2 else { return .success(output) }
                let next = count - remaining
                guard base[next] == 0x1f, base[next + 1] == 0x8b else { return .success(output) }
                guard inflateReset(&stream) == Z_OK else {
                    return .failure(.corrupt("the decompressor could not restart for the next gzip member"))
                }
            case Z_BUF_ERROR:
                // No progress was possible. Output space is always fresh, so the
                // input must have run out before the stream said it was finished.
                if stream.avail_in == 0, fed >= count {
                    return .failure(.corrupt("the data ends before the compressed stream does"))
                }
                if produced == 0, stream.avail_in == inputBefore {
                    return .failure(.corrupt("the decompressor made no progress"))
                }
            case Z_NEED_DICT:
                return .failure(.corrupt("the stream needs a preset dictionary"))
            case Z_MEM_ERROR:
                return .failure(.corrupt("the decompressor ran out of memory"))
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib code \(status)"
                return .failure(.corrupt(message))
            }
        }
    }
}
