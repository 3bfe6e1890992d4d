import Foundation
import Vapor

/// A digit a person stored, as the gallery shows it.
struct PersonDigitResponse: Content {
    let id: UUID
    let label: Int
    /// What the live model had read in the drawing when it was stored.
    let guessedLabel: Int?
    /// "training" or "held-out".
    let set: String
    /// The 28x28 image, as a PNG data URL.
    let image: String
    let createdAt: Date?
}

/// `GET /api/digits`: one page of people's digits, newest first.
struct PersonDigitPage: Content {
    let items: [PersonDigitResponse]
    let page: Int
    let per: Int
    /// How many digits people have stored in all.
    let total: Int
}
