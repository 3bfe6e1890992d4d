// The training benchmark: seconds per epoch for the book's 784-30-10 net with mini-batch 10,
// samples per second, the forward pass over the 10,000 test images, and in the same run the
// numpy baseline (../shared/bench/numpy_ref.py) with the ratio, so the figure holds on a
// noisy machine. Release build:
//
//     swift run -c release --package-path Core TrainingBenchmark [--epochs N] [--skip-numpy]
import MNISTData
import NeuralNetwork

#if canImport(Glibc)
    import Glibc
#endif

let arguments = BenchmarkArguments(CommandLine.arguments.dropFirst())
guard let mnistDirectory = arguments.mnistDirectory else {
    fail("no MNIST: set MNIST_DIR, or run from the repository with ../shared/data/mnist beside it")
}
let split: MNISTSplit
do {
    split = try MNISTLoader.load(directory: mnistDirectory)
} catch {
    fail("\(error)")
}
let training = split.training.samples
let test = split.test.samples
print("MNIST from \(mnistDirectory); \(training.count) training samples; \(SystemInfo.processorDescription)")

// Training: one warm-up epoch, then the timed ones (gradient descent only, no evaluation).
var generator = SeededGenerator(seed: 1)
var network = Network(sizes: [784, 30, 10], using: &generator)
let options = TrainingOptions(epochs: 1, miniBatchSize: 10, eta: 0.5, lambda: 5.0, threads: arguments.threads)
network.train(on: training, options: options, using: &generator)
var epochSeconds: [Double] = []
for epoch in 1...arguments.epochs {
    let summary = network.train(on: training, options: options, using: &generator)
    epochSeconds.append(summary.reports[0].trainingSeconds)
    print("swift epoch \(epoch): \(Report.fixed(summary.reports[0].trainingSeconds, 4)) s")
}
let swiftEpoch = Report.median(epochSeconds)

// Forward pass over the test images, batched as evaluation does it.
var forwardSeconds: [Double] = []
var checksum = 0
for _ in 0..<5 {
    let started = Stopwatch()
    checksum &+= network.predictions(for: test).reduce(0, +)
    forwardSeconds.append(started.seconds)
}
let accuracy = network.evaluate(on: test).accuracy

print("")
print(
    "784-30-10, mini-batch 10, eta 0.5, lambda 5.0 (after \(arguments.epochs + 1) epochs: test accuracy \(Report.fixed(accuracy * 100, 2))%)"
)
print("  swift  seconds per epoch (median of \(arguments.epochs)): \(Report.fixed(swiftEpoch, 4))")
print("  swift  samples per second:                 \(Int(Double(training.count) / swiftEpoch))")
print("  swift  forward pass, 10,000 test images:   \(Report.fixed(Report.median(forwardSeconds) * 1000, 2)) ms (median of 5)")

if !arguments.skipsNumpy, let script = arguments.numpyScript {
    let numpy = NumpyBaseline.run(script: script, epochs: arguments.epochs + 1, mnistDirectory: mnistDirectory)
    if let numpyEpoch = numpy {
        print("  numpy  seconds per epoch (median, first epoch dropped): \(Report.fixed(numpyEpoch, 4))")
        print("  ratio  numpy / swift: \(Report.fixed(numpyEpoch / swiftEpoch, 2))x faster")
    } else {
        print("  numpy  baseline did not run (is python3 with numpy installed?)")
    }
}
