// The guess benchmark: what the server does to every drawing it is sent, stage by stage, in
// microseconds per drawing (median of several rounds): decoding the PNG, finding the ink,
// normalising it to 28x28, deskewing, the network's forward pass, and the 28x28 PNG shown back
// (and, off that path, the random move a retraining gives each repeat of a person's digit). The
// drawing is a 280x280 RGBA canvas PNG, as the page sends; pass a file to use another.
// As the same-run baseline it times the path every PNG took before the canvas fast path
// (libpng to RGBA, ink, normalise) and prints how many times faster the fast path is.
// Release build:
//
//     swift run -c release --package-path Core GuessBenchmark [drawing.png] [--rounds N] [--only STAGE]
import DigitImaging
import MNISTData
import NeuralNetwork

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

var rounds = 7
var drawingPath: String?
/// Only the stages whose names contain this, for profiling one.
var only: String?
var remaining = Array(CommandLine.arguments.dropFirst())
while !remaining.isEmpty {
    let argument = remaining.removeFirst()
    if argument == "--rounds", let value = remaining.first.flatMap({ Int($0) }) {
        rounds = max(1, value)
        remaining.removeFirst()
    } else if argument == "--only", let value = remaining.first {
        only = value
        remaining.removeFirst()
    } else if !argument.hasPrefix("-") {
        drawingPath = argument
    } else {
        print("usage: GuessBenchmark [drawing.png] [--rounds N] [--only STAGE]")
        exit(1)
    }
}

let png = try drawingPath.map(BinaryFile.read) ?? CanvasDrawing.seven()
let network: Network = {
    var generator = SeededGenerator(seed: 1)
    return Network(sizes: [784, 30, 10], using: &generator)
}()
let decoded = try PNGCodec.decode(png)
let ink = try InkImage(decoded)
let digit = try DigitNormaliser.normalise(ink)
print("drawing: \(decoded.width)x\(decoded.height) PNG, \(png.count) bytes; \(rounds) rounds, median microseconds per drawing")

var sink = 0
let iterations = 400
/// Times `body` and prints its median microseconds per call; returns them (nil when skipped).
@discardableResult
@MainActor func stage(_ name: String, _ body: () throws -> Int) rethrows -> Double? {
    if let only, !name.contains(only) { return nil }
    var perDrawing: [Double] = []
    for _ in 0..<rounds {
        let start = MonotonicClock.now()
        for _ in 0..<iterations { sink &+= try body() }
        perDrawing.append(MonotonicClock.seconds(since: start) / Double(iterations) * 1e6)
    }
    let sorted = perDrawing.sorted()
    print("  " + name + String(repeating: " ", count: max(1, 36 - name.count)) + format(sorted[sorted.count / 2]) + " µs")
    return sorted[sorted.count / 2]
}

let grey = ink.ink.map { UInt8(255 - ($0 * 255).rounded()) }
try stage("decode PNG (libpng, RGBA)") { try PNGCodec.decode(png).width }
try stage("ink from a grey picture") { try InkImage(grey: grey, width: decoded.width, height: decoded.height).width }
try stage("normalise ink to 28x28") { try DigitNormaliser.normalise(ink).pixels.count }
stage("deskew 28x28") { InputPreparation.deskewed.prepare(digit.pixels).count }
stage("forward pass 784-30-10") { network.feedforward(digit.pixels).count }
// Not on a guess's path: what a retraining does to each repeat of a person's digit.
var jitterGenerator = SeededGenerator(seed: 1)
stage("retraining: jitter 28x28") {
    AffineJitter.random(within: .peoplesRepeats, using: &jitterGenerator).apply(to: digit.pixels[...]).count
}
stage("28x28 bytes and PNG") { digit.png.count }
let baseline = try stage("baseline: libpng, RGBA, ink, 28x28") {
    try DigitNormaliser.normalise(InkImage(PNGCodec.decode(png))).pixels.count
}
let whole = try stage("whole: PNG to 28x28 (fast path)") { try DigitNormaliser.normalise(png: png).pixels.count }
if let baseline, let whole { print("  fast path / baseline: \(format(baseline / whole))x faster") }
if sink == 42 { print("") }

func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    let text = "\(tenths / 10).\(tenths % 10)"
    return String(repeating: " ", count: max(0, 8 - text.count)) + text
}
