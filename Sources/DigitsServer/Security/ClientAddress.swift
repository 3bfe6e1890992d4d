import Vapor

extension Request {
    /// Who sent the request, as far as this server can tell: the peer's address, or, when the
    /// peer is a trusted proxy (`ServerSettings.trustedProxies`), the client its forwarding
    /// headers name. What the rate limit and the drawing workers' share per client key on.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress
        let proxies = application.storage[TrustedProxies.Key.self] ?? TrustedProxies()
        return proxies.client(peer: peer, headers: headers) ?? peer ?? "unknown"
    }
}

/// The reverse proxies whose forwarding headers are believed, and how the client is read
/// from them.
///
/// Each proxy appends the address it received the request from to `X-Forwarded-For` (or a
/// `for=` element to `Forwarded`, RFC 7239); anything to the left of what a trusted proxy
/// appended was written by the client and may be forged. So the chain is read from the right,
/// past every trusted proxy, and the first address that is not one is the client. From a peer
/// that is not trusted, both headers are ignored: anyone can send them.
public struct TrustedProxies: Sendable {
    let networks: [Network]

    /// Whether `--trusted-proxy` can take `text`: an address, or a network.
    public static func isValid(_ text: String) -> Bool { Network(parsing: text) != nil }

    init(_ specifications: [String] = []) {
        networks = specifications.compactMap(Network.init(parsing:))
    }

    struct Key: StorageKey {
        typealias Value = TrustedProxies
    }

    /// The client the headers name when `peer` is trusted; nil to take the peer itself.
    func client(peer: String?, headers: HTTPHeaders) -> String? {
        guard !networks.isEmpty, let peer, isTrusted(peer) else { return nil }
        let forwarded = headers[.forwarded]
        let chain =
            forwarded.isEmpty
            ? headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            : forwarded.flatMap { $0.split(separator: ",") }.compactMap(Self.forElement)
        guard !chain.isEmpty else { return nil }
        // Past the trusted proxies, from the right; a client behind only trusted ones is the
        // leftmost. Bounded: a forwarded value is a key of the rate limits' table.
        let client = chain.last(where: { !isTrusted($0) }) ?? chain[0]
        return String(client.prefix(64))
    }

    func isTrusted(_ address: String) -> Bool {
        guard let bytes = Network.bytes(of: address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The address in one `Forwarded` element's `for=` (quotes, brackets and port removed).
    static func forElement(_ element: Substring) -> String? {
        for pair in element.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].lowercased() == "for" else { continue }
            var value = Substring(parts[1])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            if value.hasPrefix("["), let end = value.firstIndex(of: "]") {
                return String(value[value.index(after: value.startIndex)..<end])
            }
            // IPv4 with a port: the part before the one colon.
            if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") { return String(value[..<colon]) }
            return String(value)
        }
        return nil
    }

    /// An address, or a network as `address/prefix-length`.
    struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefixLength: Int

        init?(parsing text: String) {
            let parts = text.split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let bytes = Network.bytes(of: String(first)) else { return nil }
            let bits = bytes.count * 8
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
                prefixLength = length
            } else {
                prefixLength = bits
            }
            self.bytes = bytes
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var left = prefixLength
            for (a, b) in zip(address, bytes) where left > 0 {
                let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                if a & mask != b & mask { return false }
                left -= 8
            }
            return true
        }

        /// An IPv4 address as 4 bytes, IPv6 as 16 (an IPv4-mapped one as its 4); nil for
        /// anything else.
        static func bytes(of text: String) -> [UInt8]? {
            if let v4 = ipv4(Substring(text)) { return v4 }
            guard var v6 = ipv6(text) else { return nil }
            if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF { v6 = Array(v6[12...]) }
            return v6
        }

        private static func ipv4(_ text: Substring) -> [UInt8]? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            let bytes = parts.compactMap { part -> UInt8? in
                guard (1...3).contains(part.count), part.allSatisfy(\.isASCII) else { return nil }
                return UInt8(part)
            }
            return bytes.count == 4 ? bytes : nil
        }

        private static func ipv6(_ text: String) -> [UInt8]? {
            guard text.contains(":"), text.count <= 45 else { return nil }
            let halves = text.components(separatedBy: "::")
            guard halves.count <= 2 else { return nil }
            func groups(_ part: String) -> [UInt8]? {
                guard !part.isEmpty else { return [] }
                var bytes: [UInt8] = []
                let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
                for (index, piece) in pieces.enumerated() {
                    if index == pieces.count - 1, piece.contains("."), let v4 = ipv4(piece) {
                        bytes += v4
                    } else {
                        guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                        bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                    }
                }
                return bytes
            }
            guard let head = groups(halves[0]) else { return nil }
            if halves.count == 1 { return head.count == 16 ? head : nil }
            guard let tail = groups(halves[1]), head.count + tail.count < 16 else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        }
    }
}
