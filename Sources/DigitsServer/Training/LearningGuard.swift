/// Which of people's digits a retraining may learn from and be judged on, so that no one
/// contributor — and no crowd of new ones — moves the model.
///
/// Three rules, over every person's digit stored so far:
///
/// - **Trust is earned by agreement.** A giver's corrections count only once the giver is
///   trusted: at least `trustedAfter` of their digits agree with what the live model read, and at
///   least `trustedAgreement` of all of them do. Honest people mostly draw what the model reads
///   (nine in ten on the learning benchmark), so they are trusted after a handful of digits; a
///   contributor who only ever contradicts the model never is, however many addresses they use.
/// - **A correction needs corroboration by trusted people.** A label that contradicts the live
///   model's guess (the model read a 7, the person says 1) counts only once trusted people on at
///   least `corroboratingAddresses` *other* addresses have made the same correction (read as 7,
///   labelled 1). Honest corrections of what the model gets wrong are common to many people
///   (9s read as 3, crossed 7s read as 2) and pass within a few dozen digits; one person's
///   invented label does not. With `corroboratingAddresses` 0 (a server only trusted people
///   use) every correction counts at once, and trust is not asked for either.
/// - **A cap on any one address's share.** One address's training digits count up to
///   `addressFloor`, or up to `addressShare` of everyone else's if that is more; past the cap
///   its latest digits count. A person drawing at home is under the floor for a long time; a
///   flood from one address cannot outweigh everyone else.
///
/// A crowd that first earns trust is the judge's to stop: a candidate taught a correction mostly
/// by newcomers is held for an admin's review (`CrowdCheck`). The judge (`PromotionRule`) adds a
/// check per class on MNIST's validation digits, and compares models on held-out digits only of
/// people whose digits did not change the candidate.
public struct LearningGuard: Sendable {
    public var corroboratingAddresses: Int
    public var addressFloor: Int
    public var addressShare: Double
    /// How many of a giver's digits must agree with the model before their corrections count.
    public var trustedAfter: Int
    /// The share of a giver's digits that must agree with the model for them to stay trusted.
    public var trustedAgreement: Double

    public init(
        corroboratingAddresses: Int = 3, addressFloor: Int = 200, addressShare: Double = 0.5, trustedAfter: Int = 5,
        trustedAgreement: Double = 0.5
    ) {
        self.corroboratingAddresses = corroboratingAddresses
        self.addressFloor = addressFloor
        self.addressShare = addressShare
        self.trustedAfter = trustedAfter
        self.trustedAgreement = trustedAgreement
    }

    /// Why a digit is left out of a retraining, if it is.
    enum LeftOut: Equatable, Sendable {
        /// A correction from a giver not trusted yet.
        case untrusted
        case uncorroborated
        case overTheAddressCap
    }

    /// For each digit, in the order given (the order they were stored), nil when it counts.
    func judge(_ digits: [PersonDigit]) -> [LeftOut?] {
        var verdicts = [LeftOut?](repeating: nil, count: digits.count)
        let trusted = trustedGivers(digits)
        // Who made each correction, by address, among the trusted.
        var correctors: [Correction: Set<String>] = [:]
        for (index, digit) in digits.enumerated() {
            guard let correction = digit.correction, trusted(digit.giver(index)) else { continue }
            correctors[correction, default: []].insert(digit.giver(index))
        }
        for (index, digit) in digits.enumerated() {
            guard let correction = digit.correction else { continue }
            let giver = digit.giver(index)
            if !trusted(giver) {
                verdicts[index] = .untrusted
            } else if correctors[correction, default: []].subtracting([giver]).count < corroboratingAddresses {
                verdicts[index] = .uncorroborated
            }
        }
        // The cap, over the training digits that counted so far.
        var byAddress: [String: [Int]] = [:]
        for (index, digit) in digits.enumerated() where digit.inTrainingSet && verdicts[index] == nil {
            byAddress[digit.giver(index), default: []].append(index)
        }
        let total = byAddress.values.reduce(0) { $0 + $1.count }
        for indices in byAddress.values {
            let cap = max(addressFloor, Int(addressShare * Double(total - indices.count)))
            for index in indices.dropLast(cap) { verdicts[index] = .overTheAddressCap }
        }
        return verdicts
    }

    /// Whether a giver is trusted: enough of their digits, and enough of the share, agree with
    /// what the model read (a digit stored without a guess, as an import's, contradicts nothing).
    /// Everyone is, on a server that asks no corroboration.
    func trustedGivers(_ digits: [PersonDigit]) -> (String) -> Bool {
        guard corroboratingAddresses > 0, trustedAfter > 0 else { return { _ in true } }
        var agreeing: [String: Int] = [:]
        var given: [String: Int] = [:]
        for (index, digit) in digits.enumerated() {
            let giver = digit.giver(index)
            given[giver, default: 0] += 1
            if digit.correction == nil { agreeing[giver, default: 0] += 1 }
        }
        let (floor, share) = (trustedAfter, trustedAgreement)
        return { giver in
            let agreed = agreeing[giver] ?? 0
            return agreed >= floor && Double(agreed) >= share * Double(given[giver] ?? 0)
        }
    }

    /// A guess and the label that contradicted it.
    struct Correction: Hashable {
        let guessed: Int
        let label: Int
    }
}

/// One of people's stored digits, as a retraining reads it.
struct PersonDigit: Sendable {
    /// 784 grey levels, 0–255.
    let pixels: [UInt8]
    let label: Int
    let guessed: Int?
    let inTrainingSet: Bool
    let contributor: String?
    let addressHash: String?

    var correction: LearningGuard.Correction? {
        guard let guessed, guessed != label else { return nil }
        return LearningGuard.Correction(guessed: guessed, label: label)
    }

    /// Who to count it as: the address, else the contributor. A digit an admin imported
    /// (`digits import`: no address, an `import-` contributor), or one stored before either was
    /// recorded, counts as a giver of its own: trusted, and under no address's cap.
    func giver(_ position: Int) -> String {
        if let addressHash { return addressHash }
        if let contributor, !contributor.hasPrefix(PeopleDigitsImport.importPrefix) { return "contributor:\(contributor)" }
        return "digit:\(position)"
    }
}
