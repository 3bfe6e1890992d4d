import MNISTData
import Vapor

/// Lets a request through only with the admin token, as `Authorization: Bearer TOKEN`; 401 otherwise.
///
/// The comparison takes the same time whatever the token sent: both sides are hashed to 32
/// bytes and every byte is compared, so timing does not reveal how much of a guess was right.
struct AdminGuard: AsyncMiddleware {
    private let expectedDigest: [UInt8]

    init(token: String) {
        expectedDigest = SHA256.digest(Array(token.utf8))
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let sent = request.headers.bearerAuthorization?.token else {
            throw Abort(.unauthorized, reason: "this is an admin action: send the admin token as Authorization: Bearer TOKEN")
        }
        guard Self.constantTimeEqual(SHA256.digest(Array(sent.utf8)), expectedDigest) else {
            throw Abort(.unauthorized, reason: "the admin token is wrong")
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
