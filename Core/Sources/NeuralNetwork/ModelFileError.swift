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

extension ModelFileError {
    /// The decoder's failure, named by where in the file it happened (`weights[0][3]`).
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingKey(Self.path(context.codingPath + [key]))
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected: String
            if "\(type)".hasPrefix("Array") {
                expected = "a list"
            } else if "\(type)".hasPrefix("Dictionary") {
                expected = "an object"
            } else {
                expected = Self.expected(at: context.codingPath)
            }
            self = .wrongType(key: context.codingPath.isEmpty ? "(document)" : Self.path(context.codingPath), expected: expected)
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let underlying = context.underlyingError.map { ": \($0)" } ?? ""
            self = .notJSON(context.debugDescription + underlying)
        case .dataCorrupted(let context):
            // A number that does not fit the type: 1.5 for a size, 1e400 for a weight.
            self = .wrongType(key: Self.path(context.codingPath), expected: Self.expected(at: context.codingPath))
        @unknown default:
            self = .notJSON("\(error)")
        }
    }

    /// What the value at `path` should be, by the key it sits under.
    private static func expected(at path: [any CodingKey]) -> String {
        switch path.first?.stringValue {
        case "sizes": "positive whole numbers"
        case "version": "a whole number from 1"
        case "weights", "biases": "numbers within Float's range"
        case "cost": "a string"
        default: "of another type"
        }
    }

    /// `weights[0][3]` for the keys weights, 0, 3.
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
    }
}
