import CLibDeflate
import Foundation
import Testing

@testable import DigitImaging

/// Every PNG in the fuzzer's seed corpus and every finding kept as a regression decodes or
/// fails with a `DrawingError`, never a trap or a memory error.
@Suite struct FuzzCorpusTests {
    @Test func theFuzzCorpusDecodesWithoutATrap() throws {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz").standardized
        var read = 0
        for folder in ["Corpus/png", "Regressions/png"] {
            let directory = fuzz.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasPrefix(".") {
                let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
                for reader in [{ _ = try DigitNormaliser.normalise(png: $0) }, { _ = try PNGCodec.decode($0) }]
                    as [([UInt8]) throws -> Void]
                {
                    do {
                        try reader(bytes)
                    } catch {
                        #expect(error is DrawingError, "\(folder)/\(name): \(type(of: error)): \(error)")
                    }
                }
                read += 1
            }
        }
        #expect(read >= 9)
    }
}
