import Testing

@testable import NewsletterContent

@Suite("Debouncing changes")
struct DebounceScheduleTests {
    @Test("a path is ready after its quiet time; each change restarts the wait")
    func quiet() {
        var schedule = DebounceSchedule(quiet: 2, longest: 30)
        schedule.note("a.md", at: 0)
        schedule.note("b.md", at: 1)
        #expect(schedule.nextDeadline == 2)
        #expect(schedule.takeDue(at: 1.9).isEmpty)
        schedule.note("a.md", at: 1.9)
        #expect(schedule.takeDue(at: 3).map { $0 } == ["b.md"])
        #expect(schedule.nextDeadline == 3.9)
        #expect(schedule.takeDue(at: 3.9) == ["a.md"])
        #expect(schedule.isEmpty)
        #expect(schedule.nextDeadline == nil)
    }

    @Test("a file that never goes quiet is read after the longest wait")
    func neverQuiet() {
        var schedule = DebounceSchedule(quiet: 2, longest: 10)
        var time = 0.0
        var taken: [String] = []
        while time < 12 && taken.isEmpty {
            schedule.note("log.txt", at: time)
            taken = schedule.takeDue(at: time)
            time += 0.5
        }
        #expect(taken == ["log.txt"])
        #expect(time == 10.5)
    }
}
