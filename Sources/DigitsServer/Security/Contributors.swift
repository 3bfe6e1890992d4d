import Fluent
import SQLKit
import Vapor

/// Who gave a digit, as far as a server without accounts can tell: an anonymous contributor id
/// the server issues, and the client's address.
///
/// An id is 16 random bytes and an HMAC-SHA256 tag over them under the secret every server on
/// the database shares (`server_secrets`, made by `AddContributors`), so a server recognises the
/// ids any of them issued and no client can make one up or take another's. The page carries it
/// in a cookie (HttpOnly, SameSite=Strict: a foreign page can neither read it nor send it); an
/// API client reads it from the `Digits-Contributor` response header and sends it back in the
/// same header. A new id costs nothing, so the address is what limits one person: it is stored
/// as an HMAC under the same secret, which tells two digits from one address from two addresses
/// and reveals neither.
struct Contributors: Sendable {
    static let header = "Digits-Contributor"
    static let cookie = "digits_contributor"
    /// A year: a person keeps their id as long as they keep the cookie.
    static let cookieSeconds = 365 * 24 * 3600
    private static let idBytes = 16
    private static let tagBytes = 12
    private let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The contributors' secret from the database.
    static func load(from database: any Database) async throws -> Contributors {
        guard let sql = database as? any SQLDatabase,
            let row = try await sql.raw("SELECT value FROM server_secrets WHERE name = 'contributors'").first()
        else {
            throw Abort(.internalServerError, reason: "the database has no contributors' secret; run the server once to migrate it")
        }
        return Contributors(secret: try row.decode(column: "value", as: String.self))
    }

    /// A new contributor id.
    func issue() -> String {
        let random = (0..<Self.idBytes).map { _ in UInt8.random(in: 0...255) }
        return "\(Self.base64URL(random)).\(tag(random))"
    }

    /// `text` when it is an id a server on this database issued.
    func verified(_ text: String) -> String? {
        guard text.utf8.count <= 64 else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let random = Self.bytes(base64URL: String(parts[0])), random.count == Self.idBytes,
            let claimed = Self.bytes(base64URL: String(parts[1])), claimed.count == Self.tagBytes
        else { return nil }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: random, using: key)).prefix(Self.tagBytes)
        // Compared in constant time: the tag is a secret until it matches.
        var difference: UInt8 = 0
        for (a, b) in zip(expected, claimed) { difference |= a ^ b }
        return difference == 0 ? text : nil
    }

    /// The stored form of a client's address.
    func hash(address: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("address:\(address)".utf8), using: key)
        return Array(code).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Who sent `request`: the id in its header (400 when the header holds one no server here
    /// issued), else the one in its cookie, else a new one (`isNew`).
    func identify(_ request: Request) throws -> (id: String, isNew: Bool) {
        if let known = try known(request) { return (known, false) }
        return (issue(), true)
    }

    /// The contributor `request` proves it is, by header or cookie; nil when it names none.
    func known(_ request: Request) throws -> String? {
        if let sent = request.headers.first(name: Self.header) {
            guard let id = verified(sent) else {
                throw Abort(
                    .badRequest,
                    reason:
                        "the \(Self.header) header holds no contributor id this server issued; leave it out and the response will carry a new one"
                )
            }
            return id
        }
        if let cookie = request.cookies[Self.cookie]?.string, let id = verified(cookie) { return id }
        return nil
    }

    /// Hands `id` to the client: in the header for API clients, in the cookie for the page.
    static func attach(_ id: String, isNew: Bool, to response: Response) {
        response.headers.replaceOrAdd(name: header, value: id)
        if isNew {
            response.cookies[cookie] = HTTPCookies.Value(
                string: id, maxAge: cookieSeconds, path: "/", isHTTPOnly: true, sameSite: .strict)
        }
    }

    private func tag(_ random: [UInt8]) -> String {
        Self.base64URL(Array(Array(HMAC<SHA256>.authenticationCode(for: random, using: key)).prefix(Self.tagBytes)))
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func bytes(base64URL text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
