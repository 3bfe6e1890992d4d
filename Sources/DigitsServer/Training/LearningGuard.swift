/// Which of people's digits a retraining may learn from and be judged on, so that no one
/// contributor moves the model.
///
/// Two rules, both over every person's digit stored so far:
///
/// - **A correction needs corroboration.** A label that contradicts the live model's guess
///   (the model read a 7, the person says 1) counts only once people on at least
///   `corroboratingAddresses` *other* addresses have made the same correction (read as 7,
///   labelled 1). Honest corrections of what the model gets wrong are common to many people
///   (9s read as 3, crossed 7s read as 2) and pass within a few dozen digits; one person's
///   invented label does not, however many ids or digits they send, since the count is of
///   addresses. A label that agrees with the guess always counts.
/// - **A cap on any one address's share.** One address's training digits count up to
///   `addressFloor`, or up to `addressShare` of everyone else's if that is more; past the cap
///   its latest digits count. A person drawing at home is under the floor for a long time; a
///   flood from one address cannot outweigh everyone else.
///
/// The judge (`PromotionRule`) adds a check per class on MNIST's validation digits, and compares
/// models on held-out digits only of people whose digits did not change the candidate.
public struct LearningGuard: Sendable {
    public var corroboratingAddresses: Int
    public var addressFloor: Int
    public var addressShare: Double

    public init(corroboratingAddresses: Int = 3, addressFloor: Int = 200, addressShare: Double = 0.5) {
        self.corroboratingAddresses = corroboratingAddresses
        self.addressFloor = addressFloor
        self.addressShare = addressShare
    }

    /// Why a digit is left out of a retraining, if it is.
    enum LeftOut: Equatable, Sendable {
        case uncorroborated
        case overTheAddressCap
    }

    /// For each digit, in the order given (the order they were stored), nil when it counts.
    func judge(_ digits: [PersonDigit]) -> [LeftOut?] {
        var verdicts = [LeftOut?](repeating: nil, count: digits.count)
        // Who made each correction, by address.
        var correctors: [Correction: Set<String>] = [:]
        for (index, digit) in digits.enumerated() {
            if let correction = digit.correction { correctors[correction, default: []].insert(digit.giver(index)) }
        }
        for (index, digit) in digits.enumerated() {
            guard let correction = digit.correction else { continue }
            let others = correctors[correction, default: []].subtracting([digit.giver(index)]).count
            if others < corroboratingAddresses { verdicts[index] = .uncorroborated }
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
