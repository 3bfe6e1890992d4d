import Testing

@testable import NeuralNetwork

/// Two separable classes: label 1 when the first half of the input carries more ink.
private func separableSamples(count: Int, seed: UInt64) -> Samples {
    var generator = SeededGenerator(seed: seed)
    var inputs: [Float] = []
    var labels: [UInt8] = []
    for _ in 0..<count {
        let label = generator.nextIndex(below: 2)
        for k in 0..<8 {
            let strong = (k < 4) == (label == 1)
            inputs.append(Float(generator.nextUnitDouble()) * 0.3 + (strong ? 0.6 : 0))
        }
        labels.append(UInt8(label))
    }
    return Samples(inputSize: 8, inputs: inputs, labels: labels)
}

@Suite struct TrainingTests {
    /// Bytes become inputs as network2's loader makes them: x/255.
    @Test func greyLevelsBecomeInputsFromZeroToOne() {
        let samples = Samples(greyLevels: [0, 255, 51, 1], inputSize: 2, labels: [3, 4])
        #expect(samples.inputs == [0, 1, 0.2, 1 / 255])
        #expect(samples.labels == [3, 4] && samples.count == 2)
    }

    @Test func sameSeedGivesTheSameBits() {
        func run(seed: UInt64) -> (Network, TrainingSummary) {
            var generator = SeededGenerator(seed: seed)
            var network = Network(sizes: [8, 6, 2], using: &generator)
            let summary = network.train(
                on: separableSamples(count: 200, seed: 1), validation: separableSamples(count: 50, seed: 2),
                options: TrainingOptions(epochs: 3, miniBatchSize: 10, eta: 0.5, lambda: 1), using: &generator)
            return (network, summary)
        }
        let (first, firstSummary) = run(seed: 42)
        let (second, secondSummary) = run(seed: 42)
        let (other, _) = run(seed: 43)
        #expect(first == second)
        #expect(first.weights.map { $0.map(\.bitPattern) } == second.weights.map { $0.map(\.bitPattern) })
        #expect(firstSummary.reports.map(\.validation) == secondSummary.reports.map(\.validation))
        #expect(first != other)
    }

    @Test func learnsASeparableProblemAndReportsEveryEpoch() {
        var generator = SeededGenerator(seed: 9)
        var network = Network(sizes: [8, 6, 2], using: &generator)
        var epochsHeard: [Int] = []
        let summary = network.train(
            on: separableSamples(count: 400, seed: 3), validation: separableSamples(count: 100, seed: 4),
            options: TrainingOptions(epochs: 5, miniBatchSize: 10, eta: 0.5, lambda: 0.1, monitorsTrainingSet: true),
            using: &generator
        ) { event in
            if case .epochFinished(let report) = event { epochsHeard.append(report.epoch) }
            return true
        }
        #expect(epochsHeard == [1, 2, 3, 4, 5])
        #expect(summary.reports.count == 5)
        #expect(summary.reports.allSatisfy { $0.training != nil && $0.validation != nil })
        #expect(summary.reports.last!.validation!.accuracy > 0.95)
        #expect(summary.stopReason == .completedEpochs)
    }

    @Test func cancellingStopsAndKeepsTheBestEpoch() {
        var generator = SeededGenerator(seed: 9)
        var network = Network(sizes: [8, 6, 2], using: &generator)
        let summary = network.train(
            on: separableSamples(count: 400, seed: 3), validation: separableSamples(count: 100, seed: 4),
            options: TrainingOptions(epochs: 10), using: &generator
        ) { event in
            if case .epochFinished(let report) = event { return report.epoch < 2 }
            return true
        }
        #expect(summary.reports.count == 2)
        #expect(summary.stopReason == .cancelled)
        let best = summary.reports.max { $0.validation!.accuracy < $1.validation!.accuracy }!
        #expect(network.evaluate(on: separableSamples(count: 100, seed: 4)).correct == best.validation!.correct)
    }

    /// Stopping in the middle of an epoch ends both threads at the same mini-batch.
    @Test(arguments: [1, 2])
    func cancellingMidEpochStopsEveryThread(threads: Int) {
        var generator = SeededGenerator(seed: 9)
        var network = Network(sizes: [64, 20, 2], using: &generator)
        let samples = randomSamples(count: 2000, inputSize: 64, classes: 2)
        var batchesHeard = 0
        let summary = network.train(on: samples, options: TrainingOptions(epochs: 3, threads: threads), using: &generator) { event in
            if case .batches = event { batchesHeard += 1 }
            return batchesHeard < 5
        }
        #expect(summary.stopReason == .cancelled)
        #expect(summary.reports.count == 1)
        #expect(batchesHeard == 5)
    }

    @Test func earlyStoppingStopsAfterThePatienceAndKeepsTheBest() {
        var tracker = PlateauTracker(options: TrainingOptions(earlyStoppingPatience: 2))
        #expect(tracker.record(accuracy: 0.5) == nil)
        #expect(tracker.record(accuracy: 0.6) == nil)
        #expect(tracker.record(accuracy: 0.6) == nil)
        #expect(tracker.record(accuracy: 0.55) == .noImprovement(epochs: 2))
    }

    @Test func scheduleHalvesEtaAndStopsAtOneHundredTwentyEighth() {
        var tracker = PlateauTracker(options: TrainingOptions(eta: 1, earlyStoppingPatience: 1, halvesLearningRateOnPlateau: true))
        #expect(tracker.record(accuracy: 0.5) == nil)
        var etas: [Float] = []
        var reason: StopReason? = nil
        while reason == nil {
            reason = tracker.record(accuracy: 0.4)
            etas.append(tracker.eta)
        }
        #expect(etas == [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125])
        #expect(reason == .learningRateExhausted)
    }

    @Test func optionsNameTheirProblem() {
        #expect(TrainingOptions(epochs: 0).problem()?.contains("epochs") == true)
        #expect(TrainingOptions(miniBatchSize: 0).problem()?.contains("mini-batch") == true)
        #expect(TrainingOptions(eta: -1).problem()?.contains("eta") == true)
        #expect(TrainingOptions(lambda: .nan).problem()?.contains("lambda") == true)
        #expect(TrainingOptions(halvesLearningRateOnPlateau: true).problem()?.contains("patience") == true)
        #expect(TrainingOptions().problem() == nil)
    }

    @Test func initialisationScalesWeightsByFanIn() {
        var generator = SeededGenerator(seed: 1)
        let scaled = Network(sizes: [400, 50, 10], initialisation: .scaled, using: &generator)
        let large = Network(sizes: [400, 50, 10], initialisation: .large, using: &generator)
        func deviation(_ values: [Float]) -> Double {
            (values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(values.count)).squareRoot()
        }
        #expect(abs(deviation(scaled.weights[0]) - 1 / 20) < 0.005)
        #expect(abs(deviation(large.weights[0]) - 1) < 0.05)
        #expect(abs(deviation(scaled.biases[0]) - 1) < 0.3)
    }
}
