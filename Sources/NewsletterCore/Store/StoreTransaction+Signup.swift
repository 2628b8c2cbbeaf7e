/// What a sign-up probe reads of the transaction (see ``SignupService``).
extension StoreTransaction {
    /// Rows changed on this connection so far: lets a probe see that a path wrote.
    var changesSoFar: Int { db.totalChangesCount }
}
