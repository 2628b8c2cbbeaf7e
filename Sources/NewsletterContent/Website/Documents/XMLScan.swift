import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element name with its namespace resolved, so `content:encoded` is recognised by
/// what it means rather than by the prefix a site happened to choose.
struct XMLName: Equatable, Sendable {
    var namespace: String
    var local: String
}

/// Receives a document as a stream of events. Streaming keeps memory proportional to
/// what the handler chooses to keep, not to the document.
protocol XMLScanHandler: AnyObject {
    /// Return false to stop reading the document (a limit was reached or the root is wrong).
    func startElement(_ name: XMLName, attributes: [String: String]) -> Bool
    func endElement(_ name: XMLName)
    func text(_ text: String)
}

/// Runs Foundation's `XMLParser` with safe settings and plain-English failures.
enum XMLScan {
    enum Failure: Error, Equatable, Sendable {
        case rejected(XMLInput.Rejection)
        case malformed(String)
    }

    /// Returns notes worth passing on as warnings (for example an ignored DTD).
    static func run(_ input: [UInt8], handler: some XMLScanHandler) -> Result<[String], Failure> {
        let prepared: XMLInput.Prepared
        switch XMLInput.prepare(input) {
        case .success(let value): prepared = value
        case .failure(let rejection): return .failure(.rejected(rejection))
        }

        let parser = XMLParser(data: Data(prepared.bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let bridge = Bridge(handler: handler)
        parser.delegate = bridge
        let finished = parser.parse()

        if let fatal = bridge.fatal { return .failure(.malformed(fatal)) }
        guard !bridge.stoppedByHandler else { return .success(prepared.notes) }
        if !finished, let error = parser.parserError as NSError?, !Bridge.isBenign(error.code) {
            return .failure(.malformed(
                "line \(parser.lineNumber): \(Bridge.describe(error.code, openElements: bridge.depth))"))
        }
        // Recovery mode can end a cut-off document without reporting anything.
        if bridge.depth != 0 {
            return .failure(.malformed("line \(parser.lineNumber): the document ends before all its tags are closed"))
        }
        if !bridge.sawElement {
            return .failure(.malformed("line \(parser.lineNumber): the document has no elements"))
        }
        return .success(prepared.notes)
    }

    /// Foundation's parser on Linux keeps going after errors (libxml2 recovery mode), so
    /// this decides which errors end the scan, and stops at the first one.
    private final class Bridge: NSObject, XMLParserDelegate {
        /// Foundation enables libxml2's "huge" mode, which lifts its own depth limit;
        /// nothing legitimate in a sitemap or feed comes close to this.
        static let maxDepth = 1_000

        let handler: any XMLScanHandler
        var stoppedByHandler = false
        var fatal: String?
        var depth = 0
        var sawElement = false

        init(handler: any XMLScanHandler) {
            self.handler = handler
        }

        private var active: Bool { !stoppedByHandler && fatal == nil }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            guard active else { return }
            depth += 1
            sawElement = true
            guard depth <= Bridge.maxDepth else {
                fatal = "line \(parser.lineNumber): elements are nested more than \(Bridge.maxDepth) deep"
                parser.abortParsing()
                return
            }
            if !handler.startElement(XMLName(namespace: namespaceURI ?? "", local: elementName),
                                     attributes: attributeDict) {
                stoppedByHandler = true
                parser.abortParsing()
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            guard active else { return }
            depth -= 1
            handler.endElement(XMLName(namespace: namespaceURI ?? "", local: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard active else { return }
            handler.text(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard active else { return }
            handler.text(String(decoding: CDATABlock, as: UTF8.self))
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            guard active else { return }
            let code = (parseError as NSError).code
            guard !Bridge.isBenign(code) else { return }
            fatal = "line \(parser.lineNumber): \(Bridge.describe(code, openElements: depth))"
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            nil
        }

        /// libxml2 warnings and namespace errors (an undeclared `media:` prefix is common
        /// in real feeds) leave the document perfectly readable.
        static func isBenign(_ code: Int) -> Bool {
            switch code {
            case 27, 93, 97, 98, 99, 100, 102, 106, 107: true
            case 200...299: true
            default: false
            }
        }

        /// libxml2 error numbers (xmlerror.h), in words a site owner could act on.
        static func describe(_ code: Int, openElements: Int) -> String {
            switch code {
            // libxml2 uses "extra content at the end" (5) for a cut-off document too.
            case 5 where openElements > 0, 77, 85: "the document ends before all its tags are closed"
            case 1: "internal parser error"
            case 2: "out of memory"
            case 3: "the content does not start with an XML tag"
            case 4: "the document is empty"
            case 5, 86: "there is extra content after the end of the document"
            case 6, 7, 8: "invalid character reference"
            case 9: "invalid character"
            case 10...21: "a character or entity reference in the wrong place"
            case 22: "an '&' not followed by a name (an unescaped ampersand?)"
            case 23: "an entity reference without its ';' (an unescaped ampersand?)"
            case 26: "an undefined entity is used"
            case 31, 32: "unsupported character encoding"
            case 38: "a '<' inside an attribute value"
            case 39, 40: "an attribute value is not quoted or not closed"
            case 41: "an attribute has no value"
            case 42: "an attribute appears twice in one tag"
            case 45: "a comment is not closed"
            case 47: "a processing instruction is not closed"
            case 61: "the DOCTYPE is not closed"
            case 63: "a CDATA section is not closed"
            case 65: "a space is missing"
            case 68: "a tag or attribute name is missing"
            case 73: "a '>' is missing"
            case 76: "a closing tag does not match its opening tag"
            case 81: "the bytes do not match the declared character encoding"
            case 89: "entity expansion is recursive or too large"
            case 512: "parsing was stopped"
            default: "XML error \(code)"
            }
        }
    }
}
