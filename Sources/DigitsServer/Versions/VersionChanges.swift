import Foundation

/// What one retraining changed, kept on its version's row (as JSON) when it is judged: per digit,
/// people's held-out digits the live model and the candidate read right, and whose digits it
/// learned. What the page's version list shows ("3: 80 % → 90 %, learned from 40 digits of 6
/// contributors"), and what tells a visitor which versions learned their digits.
struct VersionChanges: Codable, Sendable, Equatable {
    /// The live version it was judged against.
    let comparedWith: Int
    /// For each digit 0–9: how many of people's held-out digits (those `PromotionRule` judges
    /// on), how many of them the live model read right, and how many this version read right.
    let heldOut: [Int]
    let rightBefore: [Int]
    let rightAfter: [Int]
    /// People's digits it learned from, and how many people gave them.
    let learnedDigits: Int
    let learnedContributors: Int
    /// Of those, the ones the version it was compared with had not learned from, by the
    /// contributor who gave them. Never served: a contributor id is the visitor's credential;
    /// the API says only whether the asking visitor is among them.
    let newByContributor: [String: Int]

    var newDigits: Int { newByContributor.values.reduce(0, +) }

    /// Per digit from the two models' scores on the same held-out digits (`PromotionRule.Scores`).
    init(comparedWith: Int, live: PromotionRule.Scores, candidate: PromotionRule.Scores, learned: LearnedPeople) {
        self.comparedWith = comparedWith
        var heldOut = [Int](repeating: 0, count: 10)
        var before = heldOut
        var after = heldOut
        for (index, label) in candidate.peopleLabels.enumerated() where (0..<10).contains(label) {
            heldOut[label] += 1
            if index < live.peopleRight.count, live.peopleRight[index] { before[label] += 1 }
            if candidate.peopleRight[index] { after[label] += 1 }
        }
        self.heldOut = heldOut
        rightBefore = before
        rightAfter = after
        learnedDigits = learned.digits
        learnedContributors = learned.contributors
        newByContributor = learned.newByContributor
    }

    /// People's digits a retraining learned from, counted for `VersionChanges`.
    struct LearnedPeople: Sendable {
        var digits = 0
        var contributors = 0
        /// The contributors of the digits the live model had not learned from, with their counts.
        var newByContributor: [String: Int] = [:]

        /// `learned` are positions in `people` (oldest first); those from `changedAfter` on are new.
        init(_ people: [PersonDigit], learned: [Int], changedAfter: Int) {
            digits = learned.count
            contributors = Set(learned.map { people[$0].contributor ?? people[$0].giver($0) }).count
            for position in learned where position >= changedAfter {
                guard let contributor = people[position].contributor else { continue }
                newByContributor[contributor, default: 0] += 1
            }
        }

        init() {}
    }

    var json: String { (try? JSONEncoder().encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "" }

    init?(json: String?) {
        guard let json, let data = json.data(using: .utf8), let decoded = try? JSONDecoder().decode(Self.self, from: data) else {
            return nil
        }
        self = decoded
    }
}
