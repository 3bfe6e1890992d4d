import Foundation
import NeuralNetwork

/// Reading and writing model files, with errors that name the file.
enum ModelStore {
    static func load(_ path: String) throws -> (network: Network, metadata: ModelMetadata) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read the model file \(path): \(describe(error)). Train one with `digits train --output \(path)`.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path) is not a model file: it is not UTF-8 text")
        }
        do {
            return try ModelFile.decode(text)
        } catch {
            throw CommandFailure("\(path) is not a usable model file: \(error)")
        }
    }

    static func save(_ network: Network, metadata: ModelMetadata, to path: String) throws {
        let text = try ModelFile.encode(network, metadata: metadata)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure("cannot write the model to \(path): \(describe(error))")
        }
    }

    private static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}

/// A command's failure, in a sentence for the person who ran it.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
