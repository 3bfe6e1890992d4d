import Vapor

/// What `/health` returns: whether the database answers and a model is loaded.
struct HealthResponse: Content {
    let status: String
    let database: String
    let modelVersion: Int?
}
