import Fluent
import NeuralNetwork

/// MNIST's three sets as a trainer's retrainings read them, prepared for the settings' input
/// once per process (`MNISTCache`) rather than read from the database and deskewed at every
/// retraining, where it was most of a fine-tuning's time. The training digits are kept as bytes,
/// a quarter of their size as floats; validation and test as the floats the judge reads.
struct MNISTSets: Sendable {
    let input: InputPreparation
    let trainingPixels: [UInt8]
    let trainingLabels: [UInt8]
    let validation: Samples
    let test: Samples
    /// The validation digits as stored, for judging a live network that reads another input.
    let storedValidation: [UInt8]

    var trainingCount: Int { trainingLabels.count }

    static func load(input: InputPreparation, on database: any Database) async throws -> MNISTSets {
        let training = try await DigitStore.samples(from: .mnistTraining, on: database)
        let validation = try await DigitStore.samples(from: .mnistValidation, on: database)
        let test = try await DigitStore.samples(from: .mnistTest, on: database)
        guard !training.isEmpty, !validation.isEmpty else {
            throw RetrainingError(
                "the database has \(training.count) MNIST training and \(validation.count) validation digits; both are needed")
        }
        return await BackgroundThread.run(named: "digits-reading") {
            let prepared = input.prepare(training)
            return MNISTSets(
                input: input, trainingPixels: prepared.inputs.map { UInt8(($0 * 255).rounded()) }, trainingLabels: prepared.labels,
                validation: input.prepare(validation), test: input.prepare(test),
                storedValidation: validation.inputs.map { UInt8(($0 * 255).rounded()) })
        }
    }

    /// MNIST validation accuracy of a network made for these sets.
    func validationAccuracy(of network: Network) -> Double { network.evaluate(on: validation).accuracy }

    /// MNIST test accuracy of a network made for these sets.
    func testAccuracy(of network: Network) -> Double { network.evaluate(on: test).accuracy }

    /// The training digits at `indices` (all of them when nil), as inputs.
    func training(at indices: [Int]? = nil) -> Samples {
        let chosen = indices ?? Array(0..<trainingCount)
        var inputs = [Float](repeating: 0, count: chosen.count * 784)
        for (row, index) in chosen.enumerated() {
            for pixel in 0..<784 { inputs[row * 784 + pixel] = Float(trainingPixels[index * 784 + pixel]) / 255 }
        }
        return Samples(inputSize: 784, inputs: inputs, labels: chosen.map { trainingLabels[$0] })
    }
}

/// The digits one retraining learns from and is judged on.
struct RetrainingData: Sendable {
    /// Fine-tuning: people's digits that count, then as many of MNIST's (at least
    /// `RetrainingPolicy.replayAtLeast`) drawn at random. From scratch: MNIST's 50,000, then
    /// people's digits that count, each repeated `personWeight` times (fewer once people's
    /// digits outnumber MNIST's, so that a retraining's cost stays bounded).
    let training: Samples
    /// How many different digits `training` holds (people's counted once).
    let distinctTrainingDigits: Int
    let mnist: MNISTSets
    /// People's held-out digits the candidate is judged on (see `PromotionRule`), as stored,
    /// and prepared for the settings' input (what both networks read, but on the first
    /// retraining after the input setting changed).
    let peopleHeldOut: [PersonDigit]
    let preparedHeldOut: Samples
    /// What happened to people's digits, for the log.
    let peopleSummary: String
    /// Whose digits it learned, for the version's row (`VersionChanges`).
    var learnedPeople = VersionChanges.LearnedPeople()
    /// Why a crowd of newcomers may have taught it what established people do not (`CrowdCheck`).
    var suspicion: String? = nil

    static func load(
        method: RetrainingMethod, policy: RetrainingPolicy, mnist: MNISTSets, seed: UInt64, changedAfter: Int, on database: any Database
    ) async throws -> RetrainingData {
        let people = try await DigitStore.peopleDigits(on: database)
        return await BackgroundThread.run(named: "digits-reading") {
            let verdicts = policy.learningGuard.judge(people)
            let counted = people.indices.filter { verdicts[$0] == nil }
            let learnedPositions = counted.filter { people[$0].inTrainingSet }
            let learned = learnedPositions.map { people[$0] }
            // Whoever gave a digit the live model has not learned from changed the candidate:
            // their held-out digits do not judge it.
            let changers = Set(people.indices.filter { $0 >= changedAfter && people[$0].inTrainingSet }.map { people[$0].giver($0) })
            let judgedOn = counted.filter { !people[$0].inTrainingSet && !changers.contains(people[$0].giver($0)) }.map { people[$0] }
            let untrusted = verdicts.filter { $0 == .untrusted }.count
            let uncorroborated = verdicts.filter { $0 == .uncorroborated }.count
            let capped = verdicts.filter { $0 == .overTheAddressCap }.count
            let summary =
                "\(people.count) people's digits: \(learned.count) learned from, \(untrusted) corrections from givers not trusted yet, \(uncorroborated) awaiting corroboration, \(capped) over an address's cap, \(judgedOn.count) held out to judge on"
            let peopleSamples = Self.samples(learned, input: mnist.input)
            var inputs: [Float]
            var labels: [UInt8]
            let mnistUsed: Int
            // One stream for what a retraining draws: the MNIST digits replayed, then the repeats' moves.
            var generator = SeededGenerator(seed: seed)
            switch method {
            case .fineTune:
                let replay = min(mnist.trainingCount, max(learned.count, policy.replayAtLeast))
                var indices = Array(0..<mnist.trainingCount)
                indices.shuffle(using: &generator)
                let replayed = mnist.training(at: Array(indices.prefix(replay)))
                mnistUsed = replay
                // People's digits repeated, but never weighing more than the MNIST digits replayed
                // beside them: with 20,000 people's digits each appears once.
                let weight = learned.isEmpty ? 0 : max(1, min(policy.fineTunePersonWeight, replay / learned.count))
                let repeated = Self.repeated(peopleSamples, times: weight, jitter: policy.repeatJitter, using: &generator)
                inputs = repeated.inputs
                labels = repeated.labels
                inputs += replayed.inputs
                labels += replayed.labels
            case .fromScratch:
                let all = mnist.training()
                mnistUsed = all.count
                let weight = learned.isEmpty ? 0 : max(1, min(policy.personWeight, mnist.trainingCount / learned.count))
                let repeated = Self.repeated(peopleSamples, times: weight, jitter: policy.repeatJitter, using: &generator)
                inputs = all.inputs + repeated.inputs
                labels = all.labels + repeated.labels
            }
            return RetrainingData(
                training: Samples(inputSize: 784, inputs: inputs, labels: labels), distinctTrainingDigits: learned.count + mnistUsed,
                mnist: mnist, peopleHeldOut: judgedOn, preparedHeldOut: Self.samples(judgedOn, input: mnist.input), peopleSummary: summary,
                learnedPeople: .init(people, learned: learnedPositions, changedAfter: changedAfter),
                suspicion: policy.crowdCheck.suspicion(people, learned: learnedPositions))
        }
    }

    /// `people` `times` over: the first time as drawn, every later time each digit moved by an
    /// `AffineJitter` of its own drawn within `jitter` (its cost: GuessBenchmark).
    static func repeated(
        _ people: Samples, times: Int, jitter: AffineJitter.Limits, using generator: inout SeededGenerator
    ) -> Samples {
        let size = people.inputSize
        var inputs = [Float]()
        var labels = [UInt8]()
        inputs.reserveCapacity(people.inputs.count * times)
        labels.reserveCapacity(people.count * times)
        for repeatIndex in 0..<times {
            labels += people.labels
            guard repeatIndex > 0, jitter != .none else {
                inputs += people.inputs
                continue
            }
            for row in 0..<people.count {
                let change = AffineJitter.random(within: jitter, using: &generator)
                inputs += change.apply(to: people.inputs[(row * size)..<((row + 1) * size)])
            }
        }
        return Samples(inputSize: size, inputs: inputs, labels: labels)
    }

    /// People's digits as inputs prepared for `input`.
    static func samples(_ digits: [PersonDigit], input: InputPreparation) -> Samples {
        input.prepare(
            Samples(greyLevels: digits.flatMap(\.pixels), inputSize: 784, labels: digits.map { UInt8($0.label) }))
    }

    /// How `network` does on what the promotion rule looks at, its inputs prepared as it reads them.
    func scores(of network: Network) -> PromotionRule.Scores {
        // A live network from before deskewing (or from before it was turned off) reads its own
        // input; only the first retraining after the switch pays for preparing it.
        let validation =
            network.input == mnist.input
            ? mnist.validation
            : network.input.prepare(
                Samples(greyLevels: mnist.storedValidation, inputSize: 784, labels: mnist.validation.labels))
        let result = network.evaluate(on: validation)
        let heldOut = network.input == mnist.input ? preparedHeldOut : Self.samples(peopleHeldOut, input: network.input)
        let guesses = network.predictions(for: heldOut)
        return PromotionRule.Scores(
            validationCorrect: result.correct, validationCount: result.count,
            validationClassCorrect: (0..<10).map { result.confusion[$0][$0] },
            validationClassCount: (0..<10).map { result.confusion[$0].reduce(0, +) },
            peopleRight: zip(guesses, heldOut.labels).map { $0 == Int($1) }, peopleLabels: heldOut.labels.map(Int.init))
    }

}

/// Why a retraining could not run, in a sentence stored as the version's reason.
struct RetrainingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
