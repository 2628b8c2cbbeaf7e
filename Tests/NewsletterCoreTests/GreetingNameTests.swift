import Testing

@testable import NewsletterCore

@Suite("The name a greeting uses")
struct GreetingNameRuleTests {
    @Test("a first name wins; \"Last, First\" greets by the first; suffixes and several commas are not split", arguments: [
        ("Sharma, Priya", "Priya", "Priya"),
        ("Sharma, Priya", nil, "Priya"),
        ("Priya Sharma", nil, "Priya Sharma"),
        ("  O'Brien ,  Siobhán ", nil, "Siobhán"),
        ("Sam Jones, Jr.", nil, "Sam Jones, Jr."),
        ("King, Martin, Dr", nil, nil),
        ("Sharma,", nil, "Sharma"),
        (nil, "Priya", "Priya"),
        (nil, nil, nil),
        ("Sharma, Priya", "  ", "Priya"),
    ] as [(String?, String?, String?)])
    func rule(name: String?, firstName: String?, expected: String?) {
        #expect(GreetingName.make(name: name, firstName: firstName) == expected)
    }
}
