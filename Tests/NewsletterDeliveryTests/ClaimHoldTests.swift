import Foundation
import Testing

import NewsletterDelivery

/// The rule that keeps a sender that lost a shared database from sending what another may
/// have taken over: a value, tested without threads or a database.
@Suite("A sender's hold on its claims")
struct ClaimHoldTests {
    let start = Date(timeIntervalSinceReferenceDate: 1_000_000)

    @Test("renewed every third of the lease; lapsed two thirds of the lease after the last prompt renewal")
    func lapse() {
        var hold = ClaimHold(lease: 30, owner: "a", at: start)
        #expect(!hold.renewDue(at: start + 9.9))
        #expect(hold.renewDue(at: start + 10))
        #expect(!hold.lapsed(at: start + 20))
        #expect(hold.lapsed(at: start + 20.1))
        hold.renewed(started: start + 10, finished: start + 10.5)
        #expect(hold.confirmedAt == start + 10)
        #expect(!hold.lapsed(at: start + 30) && hold.lapsed(at: start + 30.1))
        #expect(hold.nextRenewal == start + 20)
    }

    @Test("a renewal that committed a renewal interval or more after it began confirms nothing")
    func slowRenewal() {
        var hold = ClaimHold(lease: 30, owner: "a", at: start)
        hold.renewed(started: start + 10, finished: start + 20)
        #expect(hold.confirmedAt == start, "another sender may have put the rows back before the commit")
        #expect(hold.lapsed(at: start + 21))
        // A late answer to an older renewal never moves the confirmation back.
        hold.renewed(started: start + 15, finished: start + 16)
        hold.renewed(started: start + 12, finished: start + 13)
        #expect(hold.confirmedAt == start + 15)
    }

    @Test("after a lapse the claims are given up: a new owner and epoch, confirmed afresh")
    func abandon() {
        var hold = ClaimHold(lease: 30, owner: "a", at: start)
        let epoch = hold.epoch
        hold.abandon(newOwner: "b", at: start + 25)
        #expect(hold.owner == "b" && hold.epoch == epoch + 1 && hold.confirmedAt == start + 25)
        #expect(!hold.lapsed(at: start + 40))
    }
}

@Suite("How much a sender sharing the database claims at once")
struct ClaimSizerTests {
    let start = Date(timeIntervalSinceReferenceDate: 1_000_000)

    @Test("the usual batch until a rate is known, then half a second of sending, within two per connection and the batch")
    func sizes() {
        var sizer = ClaimSizer(ceiling: 50, connections: 2)
        #expect(sizer.batch == 50)
        sizer.record(10, at: start)
        sizer.record(40, at: start + 1)
        #expect(sizer.rate == nil && sizer.batch == 50, "a window is two seconds at least")
        sizer.record(40, at: start + 2)
        #expect(sizer.rate == 40)
        #expect(sizer.batch == 20)
        sizer.record(2, at: start + 6)
        #expect(sizer.batch == 4, "a slow relay: two per connection")
        sizer.record(20_000, at: start + 8)
        #expect(sizer.batch == 50, "a fast one: never more than the batch")
    }
}
