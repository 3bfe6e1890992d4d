/// An IDX file of unsigned bytes, the format MNIST ships in.
///
/// Layout (big-endian): two zero bytes; the element type (0x08, unsigned byte); the number
/// of dimensions d; d sizes as 32-bit integers; then the product of the sizes in bytes.
/// MNIST's image files have magic 0x00000803 (2051) and sizes [n, 28, 28], its label files
/// 0x00000801 (2049) and [n].
public struct IDXFile: Equatable, Sendable {
    public let dimensions: [Int]
    /// The elements, row-major.
    public let bytes: [UInt8]

    /// Parses `data`, the uncompressed bytes of an IDX file, checking that it has
    /// `dimensionCount` dimensions and exactly as many bytes as they announce.
    public init(parsing data: [UInt8], dimensionCount: Int) throws(IDXProblem) {
        guard data.count >= 4 else { throw IDXProblem("it has \(data.count) bytes, too few for an IDX header") }
        guard data[0] == 0, data[1] == 0 else {
            throw IDXProblem("its magic number does not start with two zero bytes (is it an IDX file?)")
        }
        guard data[2] == 0x08 else { throw IDXProblem("its element type is 0x\(String(data[2], radix: 16)), not 0x08 (unsigned bytes)") }
        guard Int(data[3]) == dimensionCount else {
            throw IDXProblem("it has \(data[3]) dimensions, expected \(dimensionCount)")
        }
        let headerLength = 4 + 4 * dimensionCount
        guard data.count >= headerLength else { throw IDXProblem("its header is cut short (\(data.count) bytes)") }
        var dimensions: [Int] = []
        var expected = 1
        for d in 0..<dimensionCount {
            let offset = 4 + 4 * d
            let size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            dimensions.append(size)
            expected *= size
        }
        let actual = data.count - headerLength
        guard actual == expected else {
            let sizes = dimensions.map(String.init).joined(separator: " x ")
            throw IDXProblem(
                actual < expected
                    ? "it is truncated: the header announces \(sizes) = \(expected) bytes of data, but only \(actual) follow"
                    : "it has \(actual - expected) bytes more than the \(sizes) its header announces")
        }
        self.dimensions = dimensions
        self.bytes = Array(data[headerLength...])
    }

    /// The bytes of an IDX file of unsigned bytes with these dimensions and elements.
    public static func encode(dimensions: [Int], bytes: [UInt8]) -> [UInt8] {
        precondition(dimensions.reduce(1, *) == bytes.count, "\(bytes.count) bytes do not fill \(dimensions)")
        return header(dimensions: dimensions) + bytes
    }

    /// The header of an IDX file of unsigned bytes with these dimensions, for writing the
    /// elements after it piece by piece.
    public static func header(dimensions: [Int]) -> [UInt8] {
        var data: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions { data += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) } }
        return data
    }
}

/// What is wrong with an IDX file, in words.
public struct IDXProblem: Error, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
