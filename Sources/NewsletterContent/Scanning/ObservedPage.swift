import Foundation
import NewsletterCore

/// One file as this scan read it: either what it says, or why it could not be read.
struct ObservedPage: Sendable {
    var path: String
    var kind: ContentPageKind
    var stamp: ContentFileStamp
    var content: Content
    /// Problems met while reading a file that could still be used.
    var warnings: [String] = []

    enum Content: Sendable {
        case page(Details)
        case problem(String)
    }

    struct Details: Sendable {
        var title: String
        var summary: String?
        var url: String
        var topics: [String]
        var lastUpdated: MarkerDate?
        /// A post's publication date: its `date`, else the date in its file name, else its
        /// marker, else its modification time.
        var postDate: MarkerDate
        var draft: Bool
        var hash: String
        var modified: MarkerDate
    }
}
