import Foundation
import Testing

@testable import NeuralNetwork

@Suite struct ModelFileTests {
    @Test func roundTripKeepsEveryBit() throws {
        let network = randomNetwork([784, 30, 10], cost: .quadratic)
        let text = try ModelFile.encode(network, metadata: ModelMetadata(testAccuracy: 0.9649, eta: 0.5, seed: 7))
        let (decoded, metadata) = try ModelFile.decode(text)
        #expect(decoded == network)
        #expect(metadata == ModelMetadata(testAccuracy: 0.9649, eta: 0.5, seed: 7))
    }

    /// A file exactly as network2.py's `save()` writes it (`json.dump` of tolists()).
    @Test func readsTheBooksOwnLayout() throws {
        let text = """
            {"sizes": [3, 2, 2], "weights": [[[0.1, -0.2, 0.30000000000000004], [1.5, 2.0, -3.25]], \
            [[0.5, 0.25], [-1e-05, 7]]], "biases": [[[0.5], [-0.5]], [[1.0], [2.0]]], "cost": "CrossEntropyCost"}
            """
        let (network, metadata) = try ModelFile.decode(text)
        #expect(network.sizes == [3, 2, 2])
        #expect(network.weights[0] == [0.1, -0.2, 0.3, 1.5, 2.0, -3.25])
        #expect(network.weights[1] == [0.5, 0.25, -1e-05, 7])
        #expect(network.biases == [[0.5, -0.5], [1, 2]])
        #expect(network.cost == .crossEntropy)
        #expect(network.input == .centred)
        #expect(metadata == ModelMetadata())
    }

    @Test func keepsWhatTheInputsAreMadeOf() throws {
        var network = randomNetwork([4, 3, 2], cost: .crossEntropy)
        network.input = .deskewed
        let text = try ModelFile.encode(network)
        #expect(text.contains(#""input":"deskewed""#))
        #expect(try ModelFile.decode(text).network.input == .deskewed)
        let unknown = text.replacingOccurrences(of: #""input":"deskewed""#, with: #""input":"sharpened""#)
        #expect(throws: ModelFileError.wrongType(key: "input", expected: #""centred" or "deskewed""#)) { try ModelFile.decode(unknown) }
    }

    /// What this writes has network2's keys and shapes: biases as columns, weights as rows.
    @Test func writesTheBooksShapes() throws {
        let network = Network(sizes: [2, 1], weights: [[0.5, -0.25]], biases: [[0.125]], cost: .crossEntropy)
        let text = try ModelFile.encode(network)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["sizes"] as? [Int] == [2, 1])
        #expect(document["weights"] as? [[[Double]]] == [[[0.5, -0.25]]])
        #expect(document["biases"] as? [[[Double]]] == [[[0.125]]])
        #expect(document["cost"] as? String == "CrossEntropyCost")
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[1, 2]", "should be an object"),
        (#"{"weights": [], "biases": [], "cost": "CrossEntropyCost"}"#, "no \"sizes\""),
        (#"{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": "HingeCost"}"#, "unknown cost"),
        (#"{"sizes": [2, 1], "weights": [[[1, 2, 3]]], "biases": [[[0]]], "cost": "CrossEntropyCost"}"#, "row 0 has 3 columns"),
        (#"{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0], [1]]], "cost": "CrossEntropyCost"}"#, "biases[0] has 2 entries"),
        (#"{"sizes": [2, 1], "weights": [[[1, "x"]]], "biases": [[[0]]], "cost": "CrossEntropyCost"}"#, "should be numbers"),
        (#"{"sizes": [2, 0], "weights": [], "biases": [], "cost": "CrossEntropyCost"}"#, "positive whole numbers"),
        (#"{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": "CrossEntropyCost", "version": 9}"#, "version 9"),
        (#"{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": "CrossEntropyCost""#, "not JSON"),
    ])
    func malformedFilesSayWhatIsWrong(text: String, expected: String) {
        #expect {
            _ = try ModelFile.decode(text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    /// Found by the fuzzer: a version past Int64 trapped in `Int(_:)`.
    @Test func aVersionPastInt64IsAnErrorNotATrap() {
        for version in ["88888888888888888888888888", "-1", "1.5", "1e400"] {
            #expect(throws: ModelFileError.self) { try ModelFile.decode(#"{"version": \#(version), "sizes": [1, 1]}"#) }
        }
    }

    /// Every file in the fuzzers' seed corpus and every finding kept as a regression reads as a
    /// network or as a `ModelFileError`, never a trap.
    @Test func theFuzzCorpusReadsWithoutATrap() throws {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz").standardized
        var read = 0
        for folder in ["Corpus/model", "Regressions/model"] {
            let directory = fuzz.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                do {
                    _ = try ModelFile.decode(String(decoding: data, as: UTF8.self))
                } catch {
                    #expect(error is ModelFileError, "\(folder)/\(name): \(type(of: error)): \(error)")
                }
                read += 1
            }
        }
        #expect(read >= 4)
    }

    @Test func refusesToSaveADivergedNetwork() {
        let network = Network(sizes: [2, 1], weights: [[.nan, 1]], biases: [[0]], cost: .crossEntropy)
        #expect(throws: ModelFileError.notFinite(layer: 0)) { try ModelFile.encode(network) }
    }

    /// Metadata only informs: a file whose metadata another tool wrote in its own way still loads.
    @Test func unreadableMetadataIsLeftOutNotAnError() throws {
        let text = #"{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[0.5]], "cost": "CrossEntropyCost", "metadata": {"eta": "fast"}}"#
        let (network, metadata) = try ModelFile.decode(text)
        #expect(network.biases == [[0.5]])
        #expect(metadata == ModelMetadata())
    }
}
