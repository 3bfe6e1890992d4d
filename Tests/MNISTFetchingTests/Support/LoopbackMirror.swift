import Foundation
import LoopbackPorts
import MNISTData
import Testing

@testable import MNISTFetching

/// A mirror on loopback: Python's http.server over a folder, as the public mirrors serve files.
final class LoopbackMirror {
    let process = Process()
    let port: Int

    init(serving folder: String) throws {
        port = LoopbackPorts.free()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var attempts = 0
        while !Self.accepts(port: port) && attempts < 100 {
            Thread.sleep(forTimeInterval: 0.05)
            attempts += 1
        }
    }

    /// Whether something listens on the loopback port.
    static func accepts(port: Int) -> Bool { LoopbackPorts.accepts(port: port) }

    var address: String { "http://127.0.0.1:\(port)/" }

    deinit {
        // SIGKILL: a child started by Process inherits a signal mask that can block SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
