import Foundation
import Vapor

/// Where the admin token comes from, said in the log without the token itself: whoever can
/// read a server's logs (a log shipper, a shared terminal, CI output) must not become its admin.
///
/// A configured token (`DIGITS_ADMIN_TOKEN`, `--admin-token`) is used as it is. Without one
/// the server keeps a random 128-bit token in a file that only its user can read (mode 0600),
/// made on first start and read on every later one, and logs where the file is.
enum AdminToken {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(configured: String?, file: String, logger: Logger) throws -> String {
        if let configured, !configured.isEmpty {
            logger.notice("admin token: the one configured (DIGITS_ADMIN_TOKEN or --admin-token)")
            return configured
        }
        let path = URL(fileURLWithPath: file).standardizedFileURL.path
        let token = try read(path) ?? create(path)
        logger.notice("admin token: in \(path), readable by this user only (set DIGITS_ADMIN_TOKEN or --admin-token to choose one)")
        return token
    }

    /// The token in `path`, or nil when there is no such file. A file others can read is made
    /// owner-only before it is used.
    private static func read(_ path: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw Problem(description: "the admin token file \(path) is empty: delete it and a new token is made") }
        if let mode = try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, mode & 0o077 != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        return token
    }

    /// A new random token written to `path`, created owner-only from the start.
    private static func create(_ path: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        if let failure = Platform.createOwnerOnlyFile(path, containing: token + "\n") {
            guard failure.created else {
                throw Problem(
                    description:
                        "cannot create the admin token file \(path) (\(failure.reason)): choose another with --admin-token-file, or set DIGITS_ADMIN_TOKEN"
                )
            }
            throw Problem(description: "cannot write the admin token file \(path) (\(failure.reason))")
        }
        return token
    }
}
