import Fluent
import NeuralNetwork

/// The digits one retraining learns from and is judged on, read from the database when it starts.
struct RetrainingData: Sendable {
    /// MNIST's 50,000 training digits followed by each person's training digit, repeated
    /// `RetrainingPolicy.personWeight` times.
    let training: Samples
    /// How many different digits `training` holds (people's counted once).
    let distinctTrainingDigits: Int
    let validation: Samples
    let test: Samples
    /// People's held-out digits: every fifth they stored.
    let peopleHeldOut: Samples

    static func load(personWeight: Int, on database: any Database) async throws -> RetrainingData {
        let mnist = try await DigitStore.samples(from: .mnistTraining, on: database)
        let validation = try await DigitStore.samples(from: .mnistValidation, on: database)
        guard !mnist.isEmpty, !validation.isEmpty else {
            throw RetrainingError(
                "the database has \(mnist.count) MNIST training and \(validation.count) validation digits; both are needed")
        }
        let people = try await DigitStore.samples(from: .person, inTrainingSet: true, on: database)
        // Copying 50,000 digits' floats takes a while: off the request threads too.
        let training = await BackgroundThread.run(named: "digits-reading") {
            var inputs = mnist.inputs
            var labels = mnist.labels
            inputs.reserveCapacity(inputs.count + people.inputs.count * personWeight)
            for _ in 0..<max(1, personWeight) {
                inputs.append(contentsOf: people.inputs)
                labels.append(contentsOf: people.labels)
            }
            return Samples(inputSize: mnist.inputSize, inputs: inputs, labels: labels)
        }
        return RetrainingData(
            training: training,
            distinctTrainingDigits: mnist.count + people.count,
            validation: validation,
            test: try await DigitStore.samples(from: .mnistTest, on: database),
            peopleHeldOut: try await DigitStore.samples(from: .person, inTrainingSet: false, on: database))
    }

    /// How `network` does on what the promotion rule looks at.
    func scores(of network: Network) -> PromotionRule.Scores {
        let validationResult = network.evaluate(on: validation)
        let guesses = network.predictions(for: peopleHeldOut)
        return PromotionRule.Scores(
            validationCorrect: validationResult.correct, validationCount: validationResult.count,
            peopleRight: zip(guesses, peopleHeldOut.labels).map { $0 == Int($1) })
    }
}

/// Why a retraining could not run, in a sentence stored as the version's reason.
struct RetrainingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
