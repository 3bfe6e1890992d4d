import Foundation
import Vapor

/// What storing a verified digit returns (201 Created).
struct StoredDigitResponse: Content {
    let id: UUID
    /// The digit the person confirmed or chose.
    let label: Int
    /// What the live model had read in the drawing.
    let guessedLabel: Int
    /// "training" when the digit joins the training data, "held-out" when it is kept aside to
    /// measure how the network does on people's own drawings (every fifth digit).
    let set: String
    /// The 28x28 image that was stored, as a PNG data URL.
    let image: String
    let createdAt: Date?
    /// How many more verified digits start the next retraining.
    let digitsUntilRetraining: Int
    /// The version this digit started training, when it was the one that reached the threshold.
    let retrainingStarted: Int?
}
