/// Why a text is not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    public let offset: Int
    public let problem: String
    public var description: String { "invalid JSON at byte \(offset): \(problem)" }
}

extension JSONValue {
    /// Parses a complete JSON text (RFC 8259); nesting deeper than 64 levels is refused.
    public init(parsing text: String) throws(JSONSyntaxError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected text after the end of the document") }
        return value
    }

    func fail(_ problem: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, problem: problem) }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position..<(position + expected.count)]) == expected else {
            throw fail("expected \(literal)")
        }
        position += expected.count
        return value
    }

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("the document ends where a value should be") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseContainer(close: UInt8(ascii: "}"), isObject: true)
        case UInt8(ascii: "["): return try parseContainer(close: UInt8(ascii: "]"), isObject: false)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return .number(try parseNumber())
        }
    }

    mutating func parseContainer(close: UInt8, isObject: Bool) throws(JSONSyntaxError) -> JSONValue {
        depth += 1
        guard depth <= 64 else { throw fail("nesting deeper than 64 levels") }
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == close {
            position += 1
            return isObject ? .object([]) : .array([])
        }
        while true {
            if isObject {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
                position += 1
                members.append((key, try parseValue()))
            } else {
                elements.append(try parseValue())
            }
            skipWhitespace()
            guard position < bytes.count else { throw fail("the document ends inside \(isObject ? "an object" : "an array")") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == close {
                position += 1
                return isObject ? .object(members) : .array(elements)
            } else {
                throw fail("expected ',' or '\(Character(UnicodeScalar(close)))'")
            }
        }
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = position
        let allowed = Array("+-0123456789.eE".utf8)
        while position < bytes.count, allowed.contains(bytes[position]) { position += 1 }
        guard position > start, let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)), value.isFinite else {
            position = start
            throw fail("expected a value (a number, string, array, object, true, false or null)")
        }
        return value
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flush(position)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 { throw fail("a control character inside a string") }
            if byte == UInt8(ascii: "\\") {
                flush(position)
                position += 1
                guard position < bytes.count else { break }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count,
                        let code = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
                    else {
                        throw fail("a \\u escape needs four hexadecimal digits")
                    }
                    position += 4
                    // Surrogate pairs are rare in model files; an unpaired one becomes U+FFFD.
                    scalars.append(UnicodeScalar(code) ?? "\u{FFFD}")
                default: throw fail("an unknown escape \\\(Character(UnicodeScalar(escaped)))")
                }
                runStart = position
                continue
            }
            position += 1
        }
        throw fail("the document ends inside a string")
    }
}
