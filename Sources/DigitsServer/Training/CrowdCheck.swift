/// Holds a candidate for an admin's review when a crowd of newcomers taught it a correction that
/// established people do not make.
///
/// `LearningGuard` lets a correction count once trusted people on several addresses made it, and
/// trust is earned by agreeing with the model; a crowd that first draws what the model reads
/// earns it too. What such a crowd cannot fake is having been around: it arrives together and
/// teaches together. A newcomer is a giver whose first digit came at most `window` people's
/// digits before the ones the live version learned up to (or after them), on a server that held
/// `window` digits before them. A retraining whose new corrections of one kind (read as 7,
/// labelled 1) come from at least `givers` newcomers, while fewer established givers ever made
/// that correction, is not promoted but held, with what it was taught and by how many, for an
/// admin to approve or discard. Until one is decided each retraining after it is judged afresh,
/// and held again while the crowd's digits are there. A fresh server's first people are not
/// newcomers; a class of students arriving together and correcting the same misreading is held
/// too, and an admin approves it.
public struct CrowdCheck: Sendable {
    /// How many newcomers teaching one correction in one retraining make a crowd.
    public var givers: Int
    /// How recent a giver's first digit makes them a newcomer, in people's digits before the live
    /// version's.
    public var window: Int

    public init(givers: Int = 5, window: Int = 200) {
        self.givers = givers
        self.window = window
    }

    /// Why a candidate that learned `people` at the positions `learned` should wait for an admin,
    /// or nil. Positions from `changedAfter` on are this retraining's new digits.
    func suspicion(_ people: [PersonDigit], learned: [Int], changedAfter: Int) -> String? {
        guard givers > 0 else { return nil }
        var first: [String: Int] = [:]
        for index in people.indices where first[people[index].giver(index)] == nil { first[people[index].giver(index)] = index }
        let newcomersFrom = max(window, changedAfter - window)
        let isNewcomer = { (giver: String) in (first[giver] ?? 0) >= newcomersFrom }
        var taughtBy: [LearningGuard.Correction: (newcomers: Set<String>, established: Set<String>, digits: Int)] = [:]
        for index in learned {
            guard let correction = people[index].correction else { continue }
            let giver = people[index].giver(index)
            var entry = taughtBy[correction] ?? ([], [], 0)
            if !isNewcomer(giver) {
                entry.established.insert(giver)
            } else if index >= changedAfter {
                entry.newcomers.insert(giver)
                entry.digits += 1
            }
            taughtBy[correction] = entry
        }
        guard
            let (correction, taught) = taughtBy.filter({ $0.value.newcomers.count >= givers }).max(by: {
                $0.value.newcomers.count < $1.value.newcomers.count
            }), taught.established.count < taught.newcomers.count
        else { return nil }
        return
            "held for an admin's review: \(taught.newcomers.count) contributors who arrived within \(window) people's digits of the live version taught it that what it read as \(correction.guessed) is \(correction.label) (\(taught.digits) digits), a correction \(taught.established.count) established contributors made; approve it or discard it"
    }
}
