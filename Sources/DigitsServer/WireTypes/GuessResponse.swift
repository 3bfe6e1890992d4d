import Vapor

/// What a guess returns.
struct GuessResponse: Content {
    /// The most active output neuron.
    let digit: Int
    /// The ten output neurons' sigmoid activations, in [0, 1]. Each is independent: they are
    /// not probabilities and need not add up to 1.
    let activations: [Float]
    /// The activations as percentages, rounded to one decimal.
    let percentages: [Double]
    /// The 28x28 image the network saw (0 background, 255 ink), row-major.
    let pixels: [UInt8]
    /// The same image as a PNG data URL, for an `<img>`.
    let image: String
    /// The version of the model that guessed.
    let modelVersion: Int
}
