/// Quoted-printable (RFC 2045) for UTF-8 text: lines of at most 76 characters, CRLF line
/// ends, `=XX` for bytes outside printable ASCII, for `=`, and for a space or tab at the end
/// of a line. Works on bytes with a lookup table: a digest's parts are encoded for every
/// recipient, so this is on the sending path.
public enum QuotedPrintable {
    static let maxLineLength = 76
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes `text`, whose line ends may be LF or CRLF; the output ends lines with CRLF.
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        encode(text.utf8, into: &out)
        return out
    }

    /// Encodes `bytes` (UTF-8, LF or CRLF line ends) and appends the result to `out`.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, into out: inout [UInt8]) where Bytes.Element == UInt8 {
        // Called from other modules the generic version is not specialised: contiguous
        // bytes (a String's UTF-8, an Array) take the buffer path, several times faster.
        if let done: Void = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0, into: &out) }) { return done }
        encode(buffer: Array(bytes), into: &out)
    }

    /// Encodes the UTF-8 of `text`, appending to `out`.
    public static func encode(utf8 text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { encode(buffer: $0, into: &out) }
    }

    private static func encode<Bytes: Collection>(buffer bytes: Bytes, into out: inout [UInt8]) where Bytes.Element == UInt8 {
        var lineLength = 0
        var iterator = bytes.makeIterator()
        var pending: UInt8? = iterator.next()
        // Two bytes of look-ahead: a CR is a line end only before an LF; a lone CR is
        // encoded (=0D) on the same line, so the byte before it is not at the line's end.
        var afterPending: UInt8? = iterator.next()
        while let byte = pending {
            pending = afterPending
            afterPending = iterator.next()
            if byte == 0x0D && pending == 0x0A { continue }  // CR of CRLF: the LF ends the line
            if byte == 0x0A {
                out.append(0x0D)
                out.append(0x0A)
                lineLength = 0
                continue
            }
            let atLineEnd = pending == nil || pending == 0x0A || (pending == 0x0D && afterPending == 0x0A)
            let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !atLineEnd)
            let width = literal ? 1 : 3
            // Leave room for the soft break "=" unless this is the last character of the line.
            let limit = atLineEnd ? maxLineLength : maxLineLength - 1
            if lineLength + width > limit {
                out.append(61)
                out.append(0x0D)
                out.append(0x0A)
                lineLength = 0
            }
            if literal {
                out.append(byte)
            } else {
                out.append(61)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            lineLength += width
        }
    }
}
