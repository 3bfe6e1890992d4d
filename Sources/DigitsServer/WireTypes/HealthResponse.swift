import Vapor

/// What `/health` returns: whether the database answers and a model is loaded.
struct HealthResponse: Content {
    let status: String
    let database: String
    /// The version this server answers guesses with.
    let modelVersion: Int?
    /// `all`, `web` or `trainer` (`digits serve --role`).
    let role: String
    /// This server's name, as the rows of the retrainings it trains show it.
    let server: String
}
