import Vapor

/// The `Idempotency-Key` header of a store: a client that did not see the response to a
/// store (a dropped connection, a timeout) sends it again with the same key, and the digit
/// is stored once (IETF draft-ietf-httpapi-idempotency-key-header).
enum IdempotencyKey {
    static let header = "Idempotency-Key"
    static let maxLength = 255

    /// The key, without the quotes of its structured-field form; nil when none was sent.
    static func from(_ request: Request) throws -> String? {
        guard var key = request.headers.first(name: header) else { return nil }
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        guard (1...maxLength).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Abort(
                .badRequest,
                reason: "\(header) must be 1 to \(maxLength) visible ASCII characters (a UUID, say), got \(key.utf8.count) bytes")
        }
        return key
    }
}
