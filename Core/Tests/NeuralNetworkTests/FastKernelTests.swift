import Testing

@testable import NeuralNetwork

/// Each fast kernel against its plain twin in `ReferenceKernels`.
@Suite struct FastKernelTests {
    @Test(arguments: [[784, 30, 10], [13, 7, 5, 3], [9, 4]])
    func batchedAndSingleOutputsMatchTheReference(sizes: [Int]) {
        let network = randomNetwork(sizes)
        // 67 samples: whole blocks of 64 and of 4, and ragged tails of both.
        let samples = randomSamples(count: 67, inputSize: sizes[0], classes: sizes.last!)
        var worst: Float = 0
        var singleDiffersFromBatched = 0
        network.forEachOutput(samples) { index, output in
            let input = Array(samples.input(at: index))
            var expected = input
            for layer in 0..<network.layerCount {
                expected = ReferenceKernels.layerForward(weights: network.weights[layer], biases: network.biases[layer], input: expected)
            }
            worst = max(worst, maxDifference(Array(output), expected))
            // A guess (one input) adds in the batch's order: the same bits.
            if network.feedforward(input) != Array(output) { singleDiffersFromBatched += 1 }
        }
        #expect(worst < 1e-5)
        #expect(singleDiffersFromBatched == 0)
    }

    @Test(arguments: [1, 3, 4, 10, 13])
    func miniBatchStepMatchesReference(batchSize: Int) {
        for sizes in [[784, 30, 10], [13, 7, 5, 3], [6, 3]] {
            for cost in CostFunction.allCases {
                var fast = randomNetwork(sizes, cost: cost)
                var reference = fast
                let samples = randomSamples(count: batchSize, inputSize: sizes[0], classes: sizes.last!)
                fast.updateMiniBatch(inputs: samples, eta: 0.5, lambda: 5, trainingSetSize: 1000)
                ReferenceKernels.updateMiniBatch(
                    &reference, inputs: (0..<batchSize).map { Array(samples.input(at: $0)) },
                    labels: samples.labels.map(Int.init), eta: 0.5, lambda: 5, trainingSetSize: 1000)
                for layer in 0..<fast.layerCount {
                    #expect(maxDifference(fast.weights[layer], reference.weights[layer]) < 1e-5, "\(sizes) \(cost) layer \(layer)")
                    #expect(maxDifference(fast.biases[layer], reference.biases[layer]) < 1e-5, "\(sizes) \(cost) layer \(layer)")
                }
            }
        }
    }

    /// Two threads share the first layer; each neuron's arithmetic is unchanged, so the
    /// bits are the same as with one.
    @Test(arguments: [[784, 30, 10], [784, 31, 10], [50, 3, 4, 2], [9, 1]])
    func twoThreadsGiveTheSameBitsAsOne(sizes: [Int]) {
        let samples = randomSamples(count: 95, inputSize: sizes[0], classes: sizes.last!)
        var results: [Network] = []
        for threads in [1, 2] {
            var generator = SeededGenerator(seed: 4)
            var network = Network(sizes: sizes, using: &generator)
            network.train(on: samples, options: TrainingOptions(epochs: 2, miniBatchSize: 10, threads: threads), using: &generator)
            results.append(network)
        }
        #expect(results[0].weights.map { $0.map(\.bitPattern) } == results[1].weights.map { $0.map(\.bitPattern) })
        #expect(results[0].biases.map { $0.map(\.bitPattern) } == results[1].biases.map { $0.map(\.bitPattern) })
    }

    /// The runner switches between one and two threads window by window (`ThreadChoice`):
    /// with windows of 4 mini-batches (probes of 1) an epoch of 10 runs on both, in turn, and
    /// the bits are still those of one thread.
    @Test(arguments: [[784, 30, 10], [50, 3, 4, 2]])
    func switchingThreadCountsMidEpochKeepsTheBits(sizes: [Int]) {
        let samples = randomSamples(count: 95, inputSize: sizes[0], classes: sizes.last!)
        var results: [Network] = []
        for threads in [1, 2] {
            var generator = SeededGenerator(seed: 5)
            var network = Network(sizes: sizes, using: &generator)
            let runner = MiniBatchRunner(network: network, batchCapacity: 10, threadCount: threads, windowBatches: 4)
            var order = Array(0..<samples.count)
            for _ in 0..<3 {
                order.fisherYatesShuffle(using: &generator)
                samples.inputs.withUnsafeBufferPointer { pixels in
                    samples.labels.withUnsafeBufferPointer { labels in
                        order.withUnsafeBufferPointer { order in
                            let finished = runner.run(
                                MiniBatchRunner.Epoch(
                                    inputs: pixels.baseAddress!, labels: labels.baseAddress!, order: order.baseAddress!,
                                    count: samples.count, batchSize: 10, eta: 0.5, lambda: 5, trainingSetSize: samples.count)
                            ) { _ in true }
                            #expect(finished)
                        }
                    }
                }
            }
            runner.parameters.store(into: &network)
            results.append(network)
        }
        #expect(results[0].weights.map { $0.map(\.bitPattern) } == results[1].weights.map { $0.map(\.bitPattern) })
        #expect(results[0].biases.map { $0.map(\.bitPattern) } == results[1].biases.map { $0.map(\.bitPattern) })
    }

    @Test func windowsProbeBothCountsThenKeepTheFaster() {
        var choice = ThreadChoice(windowBatches: 400)
        #expect(choice.next() == (1, 25))
        choice.record(threads: 1, secondsPerBatch: 23e-6)
        #expect(choice.next() == (2, 25))
        choice.record(threads: 2, secondsPerBatch: 16e-6)
        // Two threads were faster: one more short window on them, then full ones.
        #expect(choice.next() == (2, 25))
        #expect(choice.next() == (2, 400))
        // The machine gets busy: two threads slow down, and one takes over, short first.
        choice.record(threads: 2, secondsPerBatch: 150e-6)
        #expect(choice.next() == (1, 25))
        #expect(choice.next() == (1, 25))
        #expect(choice.next() == (1, 400))
        var probed = false
        for _ in 0..<ThreadChoice.probeEvery {
            let (threads, batches) = choice.next()
            if threads == 2 {
                #expect(batches == 25, "a probe is short")
                probed = true
            }
        }
        #expect(probed, "the slower count is tried again within \(ThreadChoice.probeEvery) windows")
    }

    @Test func predictionsMatchPredict() {
        let network = randomNetwork([20, 8, 10])
        let samples = randomSamples(count: 30, inputSize: 20, classes: 10)
        let guesses = network.predictions(for: samples)
        #expect(guesses == (0..<30).map { network.predict(Array(samples.input(at: $0))) })
    }

    @Test func evaluationCountsTheConfusionMatrix() {
        let network = randomNetwork([20, 8, 10])
        let samples = randomSamples(count: 50, inputSize: 20, classes: 10)
        let evaluation = network.evaluate(on: samples)
        let guesses = network.predictions(for: samples)
        #expect(evaluation.count == 50)
        #expect(evaluation.correct == zip(guesses, samples.labels).filter { $0 == Int($1) }.count)
        #expect(evaluation.confusion.flatMap { $0 }.reduce(0, +) == 50)
        for label in 0..<10 {
            #expect(evaluation.confusion[label].reduce(0, +) == samples.labels.filter { $0 == label }.count)
        }
    }
}
