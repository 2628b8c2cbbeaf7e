import Foundation
import NewsletterCore
import NewsletterDelivery
import NewsletterTestSupport
import Testing

@Suite("Rate limits and retry delays")
struct LimitsTests {
    @Test("max_per_second spaces sends so no second holds more than the limit")
    func perSecond() {
        let limiter = RateLimiter(perSecond: 3, perHour: 0)
        let start = Date(timeIntervalSinceReferenceDate: 1000)
        let times = (0..<7).map { _ in limiter.reserve(now: start).timeIntervalSince(start) }
        #expect(times == [0, 0, 0, 1, 1, 1, 2])
    }

    @Test("max_per_hour counts sends made before the start, and 0 means no limit")
    func perHour() {
        let start = Date(timeIntervalSinceReferenceDate: 100_000)
        let limiter = RateLimiter(perSecond: 0, perHour: 2, sentRecently: [start - 3000])
        #expect(limiter.reserve(now: start) == start)
        #expect(limiter.reserve(now: start) == start - 3000 + 3600, "the third in the hour waits until the first leaves it")
        #expect(RateLimiter(perSecond: 0, perHour: 0).isUnlimited)
    }

    @Test("max_per_day counts the last 24 hours' sends, those before the start included; the hourly limit still applies")
    func perDay() {
        let start = Date(timeIntervalSinceReferenceDate: 1_000_000)
        // Sent 20 and 10 hours ago: with two a day, the next waits until the older is a day old.
        let limiter = RateLimiter(perSecond: 0, perHour: 5, perDay: 3, sentRecently: [start - 72000, start - 36000])
        #expect(limiter.reserve(now: start) == start)
        #expect(limiter.reserve(now: start) == start - 72000 + 86400, "the fourth in 24 hours waits for the first to leave them")
        #expect(limiter.reserve(now: start) == start - 36000 + 86400)
    }

    @Test("smtp.max_per_day is read from the config, 0 by default")
    func perDaySetting() throws {
        let yaml = "smtp:\n  url: smtp://relay.example.org\n  max_per_day: 10000\n"
        #expect(try Settings.parse(yaml: yaml, file: "/tmp/n.yaml").smtp.maxPerDay == 10_000)
        #expect(try Settings.parse(yaml: "smtp:\n  url: smtp://relay.example.org\n", file: "/tmp/n.yaml").smtp.maxPerDay == 0)
    }

    @Test("both limits at once: the later moment wins")
    func both() {
        let limiter = RateLimiter(perSecond: 2, perHour: 3)
        let start = Date(timeIntervalSinceReferenceDate: 0)
        let times = (0..<4).map { _ in limiter.reserve(now: start).timeIntervalSince(start) }
        #expect(times == [0, 0, 1, 3600])
    }

    @Test("retries start at retry_initial, double, stop at retry_max, and jitter by at most 10%")
    func backoff() {
        var random = SeededGenerator(seed: 5)
        let policy = RetryPolicy(initial: 60, maximum: 3600)
        let exact = RetryPolicy(initial: 60, maximum: 3600, jitter: 0)
        #expect((0..<8).map { exact.delay(afterAttempts: $0, using: &random) } == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        for attempts in 0..<10 {
            let base = exact.delay(afterAttempts: attempts, using: &random)
            let delay = policy.delay(afterAttempts: attempts, using: &random)
            #expect(delay >= base * 0.9 && delay <= base * 1.1)
        }
    }
}
