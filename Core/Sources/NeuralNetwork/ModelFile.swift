// Codable's JSON coders, without the rest of Foundation where the toolchain splits it off.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The model file: network2.py's `save()` format, so that a model saved by the book's code
/// loads here and one saved here loads there.
///
///     {"sizes": [784, 30, 10],
///      "weights": [ [[w, …] x 784] x 30, [[w, …] x 30] x 10 ],   // weights[l]: sizes[l+1] rows
///      "biases":  [ [[b] x 30], [[b] x 10] ],                    // biases[l]: a column vector
///      "cost": "CrossEntropyCost",
///      "format": "digits-network", "version": 1, "input": "deskewed", "metadata": {…}}
///
/// network2 reads only the first four keys, so the format marker, its version and the
/// metadata (accuracies, hyperparameters, date) ride along without breaking it. The JSON is
/// read and written by `Codable` (`ModelDocument`); what the coders cannot say (shapes that
/// disagree, a cost this code does not know, a newer version) is checked here, and every
/// failure becomes a `ModelFileError` that names the part.
public enum ModelFile {
    public static let formatName = "digits-network"
    public static let version = 1

    /// The JSON text of `network`, with `metadata` stored under "metadata".
    ///
    /// Throws when a weight is not finite: JSON cannot hold it, and such a network has
    /// diverged anyway.
    public static func encode(_ network: Network, metadata: ModelMetadata = ModelMetadata()) throws(ModelFileError) -> String {
        if let layer = network.firstNonFiniteLayer { throw .notFinite(layer: layer) }
        let document = ModelDocument(
            sizes: network.sizes,
            weights: (0..<network.layerCount).map { layer in
                let inputs = network.sizes[layer]
                return (0..<network.sizes[layer + 1]).map { j in Array(network.weights[layer][(j * inputs)..<((j + 1) * inputs)]) }
            },
            biases: network.biases.map { layer in layer.map { BiasEntry.column($0) } },
            cost: network.cost.rawValue, format: formatName, version: version, input: network.input.rawValue, metadata: metadata)
        do {
            return String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        } catch {
            // Only a non-finite number could fail, and those were refused above.
            preconditionFailure("a model document with finite numbers failed to encode: \(error)")
        }
    }

    /// The network in a model file's text, with the file's metadata (empty for network2's
    /// files, and for metadata this version cannot read).
    public static func decode(_ text: String) throws(ModelFileError) -> (network: Network, metadata: ModelMetadata) {
        let bytes = Data(text.utf8)
        // The version first: a newer file may be laid out differently, and should say so.
        let probe = try decodeJSON(VersionProbe.self, from: bytes)
        if let found = probe.version {
            guard found >= 1 else { throw .wrongType(key: "version", expected: "a whole number from 1") }
            if found > version { throw .newerVersion(found: found, supported: version) }
        }
        let document = try decodeJSON(ModelDocument.self, from: bytes)
        let sizes = document.sizes
        guard sizes.allSatisfy({ (1...1_000_000).contains($0) }) else { throw .wrongType(key: "sizes", expected: "positive whole numbers") }
        guard sizes.count >= 2 else { throw .shapeMismatch("sizes \(sizes) need at least an input and an output layer") }
        guard document.weights.count == sizes.count - 1, document.biases.count == sizes.count - 1 else {
            throw .shapeMismatch(
                "sizes \(sizes) need \(sizes.count - 1) weight matrices and bias vectors, the file has \(document.weights.count) and \(document.biases.count)"
            )
        }
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        for layer in 0..<(sizes.count - 1) {
            weights.append(try matrix(document.weights[layer], rows: sizes[layer + 1], columns: sizes[layer], name: "weights[\(layer)]"))
            biases.append(try vector(document.biases[layer], count: sizes[layer + 1], name: "biases[\(layer)]"))
        }
        guard let cost = CostFunction(rawValue: document.cost) else { throw .unknownCost(document.cost) }
        // A file without the key (network2's, and ours from before deskewing) reads centred digits.
        guard let input = InputPreparation(rawValue: document.input ?? InputPreparation.centred.rawValue) else {
            throw .wrongType(key: "input", expected: InputPreparation.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))
        }
        return (Network(sizes: sizes, weights: weights, biases: biases, cost: cost, input: input), document.metadata ?? ModelMetadata())
    }

    /// `type` from `bytes`, with the decoder's failure turned into a sentence naming the key.
    private static func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: Data) throws(ModelFileError) -> T {
        do {
            return try JSONDecoder().decode(type, from: bytes)
        } catch let error as DecodingError {
            throw ModelFileError(error)
        } catch {
            throw .notJSON("\(error)")
        }
    }

    private static func matrix(_ rows: [[Float]], rows count: Int, columns: Int, name: String) throws(ModelFileError) -> [Float] {
        guard rows.count == count else { throw .shapeMismatch("\(name) has \(rows.count) rows, sizes say \(count)") }
        var matrix: [Float] = []
        matrix.reserveCapacity(count * columns)
        for (index, row) in rows.enumerated() {
            guard row.count == columns else { throw .shapeMismatch("\(name) row \(index) has \(row.count) columns, sizes say \(columns)") }
            matrix.append(contentsOf: row)
        }
        return matrix
    }

    /// A bias vector as network2 writes it, a column `[[b], [b], …]`, or flat `[b, b, …]`.
    private static func vector(_ entries: [BiasEntry], count: Int, name: String) throws(ModelFileError) -> [Float] {
        guard entries.count == count else { throw .shapeMismatch("\(name) has \(entries.count) entries, sizes say \(count)") }
        var vector: [Float] = []
        for entry in entries {
            switch entry {
            case .column(let value), .flat(let value): vector.append(value)
            case .row(let width): throw .shapeMismatch("\(name) has a row of \(width) values; a bias column has 1")
            }
        }
        return vector
    }
}

/// What a model file records about how its network was made; every field optional, so a file
/// from network2 or another tool reads with whatever it has.
public struct ModelMetadata: Codable, Equatable, Sendable {
    public var testAccuracy: Double?
    public var validationAccuracy: Double?
    public var epochsTrained: Int?
    public var keptEpoch: Int?
    /// η, network2's `eta`.
    public var eta: Float?
    /// λ, network2's `lmbda`.
    public var lambda: Float?
    public var miniBatchSize: Int?
    public var seed: UInt64?
    public var initialisation: String?
    /// ISO 8601.
    public var trainedAt: String?

    public init(
        testAccuracy: Double? = nil, validationAccuracy: Double? = nil, epochsTrained: Int? = nil, keptEpoch: Int? = nil,
        eta: Float? = nil, lambda: Float? = nil, miniBatchSize: Int? = nil, seed: UInt64? = nil, initialisation: String? = nil,
        trainedAt: String? = nil
    ) {
        self.testAccuracy = testAccuracy
        self.validationAccuracy = validationAccuracy
        self.epochsTrained = epochsTrained
        self.keptEpoch = keptEpoch
        self.eta = eta
        self.lambda = lambda
        self.miniBatchSize = miniBatchSize
        self.seed = seed
        self.initialisation = initialisation
        self.trainedAt = trainedAt
    }

    enum CodingKeys: String, CodingKey {
        case testAccuracy = "test_accuracy", validationAccuracy = "validation_accuracy", epochsTrained = "epochs_trained"
        case keptEpoch = "kept_epoch", eta, lambda, miniBatchSize = "mini_batch_size", seed, initialisation
        case trainedAt = "trained_at"
    }
}

/// The file's JSON as `Codable` sees it: network2's four keys, then ours.
struct ModelDocument: Codable {
    /// Layers, for example [784, 30, 10].
    var sizes: [Int]
    /// weights[l]: [sizes[l+1] rows x sizes[l] columns].
    var weights: [[[Float]]]
    /// biases[l]: sizes[l+1] entries, each a one-value column.
    var biases: [[BiasEntry]]
    /// "CrossEntropyCost" or "QuadraticCost", network2's class names.
    var cost: String
    var format: String?
    var version: Int?
    /// What the network's inputs are made from a normalised digit (`InputPreparation`);
    /// absent: centred.
    var input: String?
    var metadata: ModelMetadata?

    init(
        sizes: [Int], weights: [[[Float]]], biases: [[BiasEntry]], cost: String, format: String?, version: Int?, input: String?,
        metadata: ModelMetadata?
    ) {
        (self.sizes, self.weights, self.biases, self.cost) = (sizes, weights, biases, cost)
        (self.format, self.version, self.input, self.metadata) = (format, version, input, metadata)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sizes = try container.decode([Int].self, forKey: .sizes)
        weights = try container.decode([[[Float]]].self, forKey: .weights)
        biases = try container.decode([[BiasEntry]].self, forKey: .biases)
        cost = try container.decode(String.self, forKey: .cost)
        format = try? container.decodeIfPresent(String.self, forKey: .format)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        input = try container.decodeIfPresent(String.self, forKey: .input)
        // Metadata only informs: a file whose metadata this version cannot read still loads.
        metadata = (try? container.decodeIfPresent(ModelMetadata.self, forKey: .metadata)) ?? nil
    }
}

/// One bias as a file holds it: network2's one-value column `[b]`, a plain number, or (an
/// error, reported with the layer's name) a longer row.
enum BiasEntry: Codable, Equatable {
    case column(Float)
    case flat(Float)
    case row(width: Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Float.self) {
            self = .flat(value)
        } else {
            let values = try container.decode([Float].self)
            self = values.count == 1 ? .column(values[0]) : .row(width: values.count)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .column(let value): try container.encode([value])
        case .flat(let value): try container.encode(value)
        case .row: preconditionFailure("a bias row is only ever read, to be refused")
        }
    }
}

/// Just the version, read before the rest.
private struct VersionProbe: Decodable {
    var version: Int?
}
