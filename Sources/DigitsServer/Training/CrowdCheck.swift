/// Holds a candidate for an admin's review when a crowd of newcomers taught it a correction that
/// established people do not make.
///
/// `LearningGuard` lets a correction count once trusted people on several addresses made it, and
/// trust is earned by agreeing with the model; a crowd that first draws what the model reads
/// earns it too. What such a crowd cannot fake is having been around among other people: it
/// arrives together and teaches together. A giver becomes established once `window` digits of
/// established givers were stored after their first one (the server's first `window` digits'
/// givers are established from the start); until then they are a newcomer, and a crowd posting
/// among itself stays new however much it posts. A candidate that learned one kind of correction
/// (read as 7, labelled 1) from at least `givers` newcomers, when fewer established givers made
/// it, is not promoted but held, with what it was taught and by how many, for an admin to approve
/// or discard. Until one is decided each retraining after it is judged afresh, and held again
/// while the crowd's corrections count. A class of students arriving together and correcting the
/// same misreading is held too, and an admin approves it.
public struct CrowdCheck: Sendable {
    /// How many newcomers teaching one correction make a crowd.
    public var givers: Int
    /// How many digits of established givers make a newcomer established.
    public var window: Int

    public init(givers: Int = 3, window: Int = 200) {
        self.givers = givers
        self.window = window
    }

    /// The givers of `people` (in the order stored) who are still newcomers.
    func newcomers(_ people: [PersonDigit]) -> Set<String> {
        // Established digits stored so far, and that count when each giver arrived.
        var established = 0
        var arrival: [String: Int] = [:]
        var founders: Set<String> = []
        for (index, digit) in people.enumerated() {
            let giver = digit.giver(index)
            if arrival[giver] == nil {
                arrival[giver] = established
                if index < window { founders.insert(giver) }
            }
            if founders.contains(giver) || established - arrival[giver, default: 0] >= window { established += 1 }
        }
        return Set(arrival.filter { !founders.contains($0.key) && established - $0.value < window }.keys)
    }

    /// Why a candidate that learned `people` at the positions `learned` should wait for an admin, or nil.
    func suspicion(_ people: [PersonDigit], learned: [Int]) -> String? {
        guard givers > 0 else { return nil }
        let newcomers = newcomers(people)
        var taughtBy: [LearningGuard.Correction: (newcomers: Set<String>, established: Set<String>, digits: Int)] = [:]
        for index in learned {
            guard let correction = people[index].correction else { continue }
            let giver = people[index].giver(index)
            var entry = taughtBy[correction] ?? ([], [], 0)
            if newcomers.contains(giver) {
                entry.newcomers.insert(giver)
                entry.digits += 1
            } else {
                entry.established.insert(giver)
            }
            taughtBy[correction] = entry
        }
        guard
            let (correction, taught) = taughtBy.filter({ $0.value.newcomers.count >= givers }).max(by: {
                $0.value.newcomers.count < $1.value.newcomers.count
            }), taught.established.count < taught.newcomers.count
        else { return nil }
        return
            "held for an admin's review: \(taught.newcomers.count) new contributors taught it that what it read as \(correction.guessed) is \(correction.label) (\(taught.digits) digits), a correction \(taught.established.count) established contributors made; approve it or discard it"
    }
}
