import Vapor

/// Whole numbers from a request's query and path, each checked against its bounds before any
/// arithmetic uses it: `GET /api/digits?page=9223372036854775807` once overflowed
/// `(page - 1) * per` and killed the process. Every bound here is stated in the OpenAPI document.
extension Request {
    /// The `page` (from 1) and `per` (page size) a listing asks for, bounded, 1 and 20 by default.
    func pageAndPer() throws -> (page: Int, per: Int) {
        (try boundedQuery("page", in: RequestBounds.page, default: 1), try boundedQuery("per", in: RequestBounds.perPage, default: 20))
    }

    /// The query parameter `name` as a whole number in `range`, or `default` when it is absent.
    func boundedQuery(_ name: String, in range: ClosedRange<Int>, default value: Int) throws -> Int {
        try boundedQuery(name, in: range) ?? value
    }

    /// The query parameter `name` as a whole number in `range`, or nil when it is absent.
    func boundedQuery(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = query[String.self, at: name] else { return nil }
        return try Self.bounded(text, name: name, in: range)
    }

    /// The path parameter `name` as a whole number in `range`.
    func boundedParameter(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        try Self.bounded(parameters.get(name) ?? "", name: name, in: range)
    }

    private static func bounded(_ text: String, name: String, in range: ClosedRange<Int>) throws -> Int {
        // Int(_:) refuses what does not fit in 64 bits, so "past Int64" is just not a number here.
        guard let number = Int(text), range.contains(number) else {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            throw Abort(
                .badRequest, reason: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(shown)\"")
        }
        return number
    }
}

/// The bounds of the numbers the API takes.
enum RequestBounds {
    /// Pages of people's digits: a million pages of a hundred is far more than any server holds.
    static let page = 1...1_000_000
    static let perPage = 1...100
    /// Model versions: one per retraining, so 2³¹ − 1 outlasts any server.
    static let version = 1...Int(Int32.max)
}
