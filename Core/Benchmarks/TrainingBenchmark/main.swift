// The training benchmark: seconds per epoch for the book's 784-30-10 net with mini-batch 10,
// samples per second, the forward pass over the 10,000 test images, and in the same run the
// numpy baseline (../shared/bench/numpy_ref.py) with the ratio, so the figure holds on a
// noisy machine. Release build:
//
//     swift run -c release --package-path Core TrainingBenchmark [--epochs N] [--threads 1|2] [--idle-only] [--skip-numpy]
//
// Each measurement runs idle, then again while a process of its own (this program with
// --burn) keeps one core busy, as a shared machine, a browser or the server's own requests
// would; both are printed, for one and two threads.
import MNISTData
import NeuralNetwork

if CommandLine.arguments.dropFirst().first == "--burn" { CPUBurner.burn() }
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
let training = Samples(greyLevels: split.training.pixels, inputSize: split.training.pixelsPerImage, labels: split.training.labels)
let test = Samples(greyLevels: split.test.pixels, inputSize: split.test.pixelsPerImage, labels: split.test.labels)
print("MNIST from \(mnistDirectory); \(training.count) training samples; \(SystemInfo.processorDescription)")

/// Seconds per epoch on each of `threadCounts` (median of `arguments.epochs`, after one
/// warm-up), the thread counts taking turns epoch by epoch, so that a change in the machine's
/// load during the run falls on both alike. Each count trains its own network from the same
/// seed, so they do the same arithmetic.
func epochSeconds(label: String) -> (seconds: [Int: Double], network: Network) {
    var networks: [Int: (Network, SeededGenerator)] = [:]
    var seconds: [Int: [Double]] = [:]
    for threads in threadCounts {
        var generator = SeededGenerator(seed: 1)
        networks[threads] = (Network(sizes: [784, 30, 10], using: &generator), generator)
    }
    for epoch in 0...arguments.epochs {
        for threads in threadCounts {
            var (network, generator) = networks[threads]!
            let options = TrainingOptions(epochs: 1, miniBatchSize: 10, eta: 0.5, lambda: 5.0, threads: threads)
            let taken = network.train(on: training, options: options, using: &generator).reports[0].trainingSeconds
            networks[threads] = (network, generator)
            guard epoch > 0 else { continue }  // the warm-up
            seconds[threads, default: []].append(taken)
            print("swift \(label), \(threads) thread\(threads == 1 ? "" : "s"), epoch \(epoch): \(Report.fixed(taken, 4)) s")
        }
    }
    return (seconds.mapValues(Report.median), networks[threadCounts.last!]!.0)
}

// Training, idle and then with one core taken by a process of our own.
let threadCounts = arguments.threads.map { [$0] } ?? [1, 2]
let (idle, network) = epochSeconds(label: "idle")
var contended: [Int: Double] = [:]
if arguments.measuresContention {
    let burner = CPUBurner.start()
    contended = epochSeconds(label: "contended").seconds
    burner.stop()
}
let defaultThreads = onlineCores >= 2 ? 2 : 1
let swiftEpoch = idle[defaultThreads] ?? idle.values.min()!

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
for threads in threadCounts {
    let name = "\(threads) thread\(threads == 1 ? "" : "s")"
    print("  swift  seconds per epoch, idle, \(name) (median of \(arguments.epochs)): \(Report.fixed(idle[threads]!, 4))")
    if let busy = contended[threads] {
        print("  swift  seconds per epoch, one core busy, \(name): \(Report.fixed(busy, 4))")
    }
}
if let one = idle[1], let two = idle[2] {
    print("  ratio  idle, 2 threads / 1 thread: \(Report.fixed(two / one, 2))x the time")
}
if let one = contended[1], let two = contended[2] {
    print("  ratio  one core busy, 2 threads / 1 thread: \(Report.fixed(two / one, 2))x the time (target <= 1.10)")
}
print("  swift  default threads: \(defaultThreads); seconds per epoch idle: \(Report.fixed(swiftEpoch, 4))")
print("  swift  samples per second:                 \(Int(Double(training.count) / swiftEpoch))")
print("  swift  forward pass, 10,000 test images:   \(Report.fixed(Report.median(forwardSeconds) * 1000, 2)) ms (median of 5)")

if !arguments.skipsNumpy, let script = arguments.numpyScript {
    let numpy = NumpyBaseline.run(script: script, epochs: arguments.epochs + 1, mnistDirectory: mnistDirectory)
    if let numpyEpoch = numpy {
        print("  numpy  seconds per epoch (median, first epoch dropped): \(Report.fixed(numpyEpoch, 4))")
        print("  ratio  numpy / swift: \(Report.fixed(numpyEpoch / swiftEpoch, 2))x faster")
        if arguments.measuresContention, let busy = contended[defaultThreads] {
            let burner = CPUBurner.start()
            if let numpyBusy = NumpyBaseline.run(script: script, epochs: arguments.epochs + 1, mnistDirectory: mnistDirectory) {
                print("  numpy  seconds per epoch, one core busy: \(Report.fixed(numpyBusy, 4))")
                print("  ratio  one core busy, numpy / swift: \(Report.fixed(numpyBusy / busy, 2))x faster")
            }
            burner.stop()
        }
    } else {
        print("  numpy  baseline did not run (is python3 with numpy installed?)")
    }
}
