/// The model file: network2.py's `save()` format, so that a model saved by the book's code
/// loads here and one saved here loads there.
///
///     {"sizes": [784, 30, 10],
///      "weights": [ [[w, …] x 784] x 30, [[w, …] x 30] x 10 ],   // weights[l]: sizes[l+1] rows
///      "biases":  [ [[b] x 30], [[b] x 10] ],                    // biases[l]: a column vector
///      "cost": "CrossEntropyCost",
///      "format": "digits-network", "version": 1, "metadata": {…}}
///
/// network2 reads only the first four keys, so the format marker, its version and the
/// metadata (accuracies, hyperparameters, date) ride along without breaking it.
public enum ModelFile {
    public static let formatName = "digits-network"
    public static let version = 1

    /// The JSON text of `network`, with `metadata` stored under "metadata".
    ///
    /// Throws when a weight is not finite: JSON cannot hold it, and such a network has
    /// diverged anyway.
    public static func encode(_ network: Network, metadata: [(key: String, value: JSONValue)] = []) throws(ModelFileError) -> String {
        for layer in 0..<network.layerCount {
            if network.weights[layer].contains(where: { !$0.isFinite }) || network.biases[layer].contains(where: { !$0.isFinite }) {
                throw .notFinite(layer: layer)
            }
        }
        let weights = (0..<network.layerCount).map { layer in
            let inputs = network.sizes[layer]
            return JSONValue.array(
                (0..<network.sizes[layer + 1]).map { j in
                    .array(network.weights[layer][(j * inputs)..<((j + 1) * inputs)].map { .number(Double($0)) })
                })
        }
        let biases = network.biases.map { layer in JSONValue.array(layer.map { .array([.number(Double($0))]) }) }
        let document = JSONValue.object([
            ("sizes", .array(network.sizes.map { .number(Double($0)) })),
            ("weights", .array(weights)),
            ("biases", .array(biases)),
            ("cost", .string(network.cost.rawValue)),
            ("format", .string(formatName)),
            ("version", .number(Double(version))),
            ("metadata", .object(metadata)),
        ])
        return document.text
    }

    /// The network in a model file's text, with the file's metadata (empty for network2's files).
    public static func decode(_ text: String) throws(ModelFileError) -> (network: Network, metadata: JSONValue) {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch {
            throw .notJSON(error.description)
        }
        guard case .object = document else { throw .wrongType(key: "(document)", expected: "an object") }
        if case .number(let found)? = document["version"] {
            // Compared as a Double first: Int(_:) traps on a number past Int64 (found by the fuzzer).
            guard found == found.rounded(), found >= 1, found <= Double(Int32.max) else {
                throw .wrongType(key: "version", expected: "a whole number from 1")
            }
            if Int(found) > version { throw .newerVersion(found: Int(found), supported: version) }
        }
        let sizes = try readSizes(document)
        guard case .array(let weightLayers)? = document["weights"] else { throw missingOrWrong(document, "weights", "a list of matrices") }
        guard case .array(let biasLayers)? = document["biases"] else { throw missingOrWrong(document, "biases", "a list of vectors") }
        guard weightLayers.count == sizes.count - 1, biasLayers.count == sizes.count - 1 else {
            throw .shapeMismatch(
                "sizes \(sizes) need \(sizes.count - 1) weight matrices and bias vectors, the file has \(weightLayers.count) and \(biasLayers.count)"
            )
        }
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        for layer in 0..<(sizes.count - 1) {
            weights.append(try readMatrix(weightLayers[layer], rows: sizes[layer + 1], columns: sizes[layer], name: "weights[\(layer)]"))
            biases.append(try readVector(biasLayers[layer], count: sizes[layer + 1], name: "biases[\(layer)]"))
        }
        guard case .string(let costName)? = document["cost"] else { throw missingOrWrong(document, "cost", "a string") }
        guard let cost = CostFunction(rawValue: costName) else { throw .unknownCost(costName) }
        let network = Network(sizes: sizes, weights: weights, biases: biases, cost: cost)
        return (network, document["metadata"] ?? .object([]))
    }

    private static func missingOrWrong(_ document: JSONValue, _ key: String, _ expected: String) -> ModelFileError {
        document[key] == nil ? .missingKey(key) : .wrongType(key: key, expected: expected)
    }

    private static func readSizes(_ document: JSONValue) throws(ModelFileError) -> [Int] {
        guard case .array(let values)? = document["sizes"] else { throw missingOrWrong(document, "sizes", "a list of layer sizes") }
        var sizes: [Int] = []
        for value in values {
            guard case .number(let size) = value, size == size.rounded(), size >= 1, size <= 1_000_000 else {
                throw .wrongType(key: "sizes", expected: "positive whole numbers")
            }
            sizes.append(Int(size))
        }
        guard sizes.count >= 2 else { throw .shapeMismatch("sizes \(sizes) need at least an input and an output layer") }
        return sizes
    }

    private static func readNumber(_ value: JSONValue, name: String) throws(ModelFileError) -> Float {
        guard case .number(let number) = value else { throw .wrongType(key: name, expected: "numbers") }
        let float = Float(number)
        guard float.isFinite else { throw .wrongType(key: name, expected: "numbers within Float's range") }
        return float
    }

    private static func readMatrix(_ value: JSONValue, rows: Int, columns: Int, name: String) throws(ModelFileError) -> [Float] {
        guard case .array(let rowValues) = value else { throw .wrongType(key: name, expected: "a list of rows") }
        guard rowValues.count == rows else { throw .shapeMismatch("\(name) has \(rowValues.count) rows, sizes say \(rows)") }
        var matrix: [Float] = []
        matrix.reserveCapacity(rows * columns)
        for (index, row) in rowValues.enumerated() {
            guard case .array(let entries) = row else { throw .wrongType(key: "\(name)[\(index)]", expected: "a list of numbers") }
            guard entries.count == columns else {
                throw .shapeMismatch("\(name) row \(index) has \(entries.count) columns, sizes say \(columns)")
            }
            for entry in entries { matrix.append(try readNumber(entry, name: name)) }
        }
        return matrix
    }

    /// A bias vector as network2 writes it, a column `[[b], [b], …]`, or flat `[b, b, …]`.
    private static func readVector(_ value: JSONValue, count: Int, name: String) throws(ModelFileError) -> [Float] {
        guard case .array(let entries) = value else { throw .wrongType(key: name, expected: "a list") }
        guard entries.count == count else { throw .shapeMismatch("\(name) has \(entries.count) entries, sizes say \(count)") }
        var vector: [Float] = []
        for entry in entries {
            if case .array(let column) = entry {
                guard column.count == 1 else { throw .shapeMismatch("\(name) has a row of \(column.count) values; a bias column has 1") }
                vector.append(try readNumber(column[0], name: name))
            } else {
                vector.append(try readNumber(entry, name: name))
            }
        }
        return vector
    }
}

/// What is wrong with a model file, in words that name the part.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case missingKey(String)
    case wrongType(key: String, expected: String)
    case shapeMismatch(String)
    case unknownCost(String)
    case newerVersion(found: Int, supported: Int)
    case notFinite(layer: Int)

    public var description: String {
        switch self {
        case .notJSON(let reason): "the model file is not JSON (\(reason))"
        case .missingKey(let key): "the model file has no \"\(key)\""
        case .wrongType(let key, let expected): "\"\(key)\" in the model file should be \(expected)"
        case .shapeMismatch(let detail): "the model file's shapes do not agree: \(detail)"
        case .unknownCost(let name): "unknown cost \"\(name)\" in the model file; expected CrossEntropyCost or QuadraticCost"
        case .newerVersion(let found, let supported):
            "the model file has format version \(found); this Digits reads up to \(supported). Update Digits."
        case .notFinite(let layer):
            "layer \(layer) has weights that are not finite numbers: training diverged. Train again with a smaller eta."
        }
    }
}
