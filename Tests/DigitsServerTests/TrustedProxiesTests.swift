import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

struct TrustedProxiesTests {
    let proxies = TrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"])

    @Test func readsTheClientOnlyFromATrustedPeer() {
        let headers: HTTPHeaders = ["X-Forwarded-For": "203.0.113.7"]
        #expect(proxies.client(peer: "127.0.0.1", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "10.1.2.3", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "fd12::1", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "::ffff:127.0.0.1", headers: headers) == "203.0.113.7", "IPv4-mapped")
        #expect(proxies.client(peer: "192.0.2.1", headers: headers) == nil, "an untrusted peer's header is ignored")
        #expect(TrustedProxies().client(peer: "127.0.0.1", headers: headers) == nil, "no proxy trusted by default")
        #expect(proxies.client(peer: "127.0.0.1", headers: [:]) == nil)
    }

    @Test func takesTheFirstUntrustedAddressFromTheRight() {
        let chained: HTTPHeaders = ["X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.2"]
        #expect(proxies.client(peer: "127.0.0.1", headers: chained) == "203.0.113.7")
        var lines = HTTPHeaders()
        lines.add(name: "X-Forwarded-For", value: "198.51.100.1")
        lines.add(name: "X-Forwarded-For", value: "203.0.113.7")
        #expect(proxies.client(peer: "127.0.0.1", headers: lines) == "203.0.113.7")
        #expect(proxies.client(peer: "127.0.0.1", headers: ["X-Forwarded-For": "10.0.0.5, 10.0.0.2"]) == "10.0.0.5")
    }

    @Test func readsRFC7239Forwarded() {
        let forwarded: HTTPHeaders = ["Forwarded": #"for=198.51.100.1, for="[2001:db8::7]:4711";proto=https, for=10.0.0.2"#]
        #expect(proxies.client(peer: "127.0.0.1", headers: forwarded) == "2001:db8::7")
        #expect(proxies.client(peer: "127.0.0.1", headers: ["Forwarded": "for=203.0.113.7:8080"]) == "203.0.113.7")
    }

    @Test func parsesAddressesAndNetworks() {
        #expect(TrustedProxies.Network(parsing: "10.0.0.0/8") != nil)
        #expect(TrustedProxies.Network(parsing: "::1") != nil)
        #expect(TrustedProxies.Network(parsing: "2001:db8::/32") != nil)
        for bad in ["", "10.0.0.0/33", "256.1.1.1", "1.2.3", "example.com", "1:2:3:4:5:6:7:8:9", "::1/129", "1::2::3"] {
            #expect(TrustedProxies.Network(parsing: bad) == nil, "\(bad)")
        }
    }
}
