import MNISTData
import NeuralNetwork
import Glibc

let dir = ProcessInfoLite.environment("MNIST_DIR") ?? "../../shared/data/mnist"
let split = try MNISTLoader.load(directory: dir)
let training = split.training.samples
let small = training.slice(0..<2000)
var generator = SeededGenerator(seed: 1)
var network = Network(sizes: [784, 30, 10], using: &generator)
for epoch in 1...3 {
    let s = network.train(on: training, options: TrainingOptions(epochs: 1), using: &generator)
    print("epoch", epoch, s.reports[0].trainingSeconds)
    let t = network.train(on: small, options: TrainingOptions(epochs: 1), using: &generator)
    print("small epoch scaled", t.reports[0].trainingSeconds * 25)
}
print(network.evaluate(on: split.test.samples).accuracy)
enum ProcessInfoLite { static func environment(_ k: String) -> String? { getenv(k).map { String(cString: $0) } } }
