import NewsletterCore
import Testing

@testable import NewsletterContent

@Suite("Reading dates")
struct DateReaderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var order: SiteSettings.DateOrder = .dmy
        var expected: String?
        var testDescription: String { "\(text) (\(order))" }
    }

    static let cases: [Case] = [
        Case(text: "05/05/2022", expected: "2022-05-05"),
        Case(text: "05/04/2022", expected: "2022-04-05"),
        Case(text: "05/04/2022", order: .mdy, expected: "2022-05-04"),
        Case(text: "22/04/05", order: .ymd, expected: "2022-04-05"),
        Case(text: "5.4.22", expected: "2022-04-05"),
        Case(text: "05-04-2022", expected: "2022-04-05"),
        Case(text: "2024/03/12", order: .mdy, expected: "2024-03-12"),
        Case(text: "2024-03-12", expected: "2024-03-12"),
        Case(text: "2024-03-12T09:30", expected: "2024-03-12T09:30:00Z"),
        Case(text: "2024-03-12T09:30:15Z", expected: "2024-03-12T09:30:15Z"),
        Case(text: "2024-03-12T09:30:00.250Z", expected: "2024-03-12T09:30:00Z"),
        Case(text: "2024-03-12 09:30:00 +01:00", expected: "2024-03-12T08:30:00Z"),
        Case(text: "2024-03-12T00:30:00+0100", expected: "2024-03-11T23:30:00Z"),
        Case(text: "2024-12-31T23:30:00-02:00", expected: "2025-01-01T01:30:00Z"),
        Case(text: "5 May 2022", expected: "2022-05-05"),
        Case(text: "3rd March 2024", expected: "2024-03-03"),
        Case(text: "1st Feb 2024", expected: "2024-02-01"),
        Case(text: "22nd Sept 2023", expected: "2023-09-22"),
        Case(text: "12 Mar. 2024", expected: "2024-03-12"),
        Case(text: "5th of May, 2022", expected: "2022-05-05"),
        Case(text: "5-May-2022", expected: "2022-05-05"),
        Case(text: "May 5, 2022", expected: "2022-05-05"),
        Case(text: "March 3rd 2024", expected: "2024-03-03"),
        Case(text: "DECEMBER 25TH, 2023", expected: "2023-12-25"),
        Case(text: "Tuesday 12 March 2024", expected: "2024-03-12"),
        Case(text: "Tue, 12 Mar 2024", expected: "2024-03-12"),
        Case(text: "29/02/2024", expected: "2024-02-29"),
        Case(text: "  05/05/2022  ", expected: "2022-05-05"),
        Case(text: "Mayday 5 2022", expected: nil),
        Case(text: "2024-03-12abc", expected: nil),
        Case(text: "123/05/2022", expected: nil),
        Case(text: "5 Maybe 2022", expected: nil),
        Case(text: "next Tuesday", expected: nil),
        Case(text: "", expected: nil),
    ]

    @Test("each form reads as the right day", arguments: cases)
    func forms(_ testCase: Case) {
        let result = DateReader(order: testCase.order).read(testCase.text)
        if let expected = testCase.expected {
            guard case .date(let date, _)? = result else {
                Issue.record("\(testCase.text.debugDescription) was not read: \(String(describing: result))")
                return
            }
            #expect(date.iso == expected)
        } else {
            #expect(result == nil)
        }
    }

    @Test("dates that do not exist are reported as impossible", arguments: ["31/02/2024", "29/02/2023", "31 April 2024", "2024-13-01", "00/05/2022", "05/13/2022"])
    func impossible(_ text: String) {
        guard case .impossible(let shown, _)? = DateReader(order: .dmy).read(text) else {
            Issue.record("\(text) was not reported as impossible")
            return
        }
        #expect(shown == text)
    }

    @Test("a bare day and a time on that day are the same day; later days and times are later")
    func ordering() throws {
        let day = try #require(MarkerDate(iso: "2024-03-12"))
        let morning = try #require(MarkerDate(iso: "2024-03-12T09:30:00Z"))
        let evening = try #require(MarkerDate(iso: "2024-03-12T18:00:00Z"))
        let next = try #require(MarkerDate(iso: "2024-03-13"))
        #expect(!morning.isLater(than: day) && !day.isLater(than: morning))
        #expect(evening.isLater(than: morning))
        #expect(next.isLater(than: evening))
        #expect(MarkerDate(instant: morning.instant) == morning)
        #expect(day.instant.timeIntervalSince1970 == 1_710_201_600)
    }
}

@Suite("Finding the last-updated phrase")
struct MarkerPhraseTests {
    static let cases: [(String, String)] = [
        ("Other helpful websites\n\nThis information was last updated on 05/05/2022\n\nSearch the Carers Directory", "2022-05-05"),
        ("Last updated: 5 May 2022", "2022-05-05"),
        ("Page last reviewed: 12 March 2024\nNext review due: 12 March 2027", "2024-03-12"),
        ("Updated 3rd March 2024", "2024-03-03"),
        ("This page was last modified 2024-03-12.", "2024-03-12"),
        ("Last updated — 1 June 2024", "2024-06-01"),
        ("Last Updated On: Tuesday 4 June 2024", "2024-06-04"),
        ("Updated 1 January 2024. Some text. Last updated: 2 February 2024. Updated 3 March 2024", "2024-02-02"),
    ]

    @Test("each phrase gives its date", arguments: cases)
    func phrase(_ text: String, _ expected: String) {
        guard case .date(let date, _)? = MarkerPhrase(reader: DateReader(order: .dmy)).find(in: Array(text.utf8)) else {
            Issue.record("no marker in \(text.debugDescription)")
            return
        }
        #expect(date.iso == expected)
    }

    @Test("words that only look like the phrase are not markers", arguments: [
        "We updated our leaflet last week.", "unreviewed 5 May 2022", "Reviewed by our team", "last updated: soon",
    ])
    func notPhrases(_ text: String) {
        #expect(MarkerPhrase(reader: DateReader(order: .dmy)).find(in: Array(text.utf8)) == nil)
    }
}
