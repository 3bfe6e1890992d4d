import Testing

@testable import MNISTData

@Suite struct IDXAndGzipTests {
    @Test func gzipRoundTrips() throws {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let compressed = Gzip.compress(bytes)
        #expect(Gzip.isCompressed(compressed))
        #expect(try Gzip.decompress(compressed).get() == bytes)
    }

    @Test func aStreamWrittenInPiecesInflatesToThePieces() throws {
        let pieces = (0..<40).map { piece in (0..<(piece * 997)).map { UInt8(truncatingIfNeeded: $0 * piece) } }
        let writer = GzipWriter()
        var compressed: [UInt8] = []
        for piece in pieces { compressed += writer.write(piece) }
        compressed += writer.finish()
        #expect(try Gzip.decompress(compressed).get() == pieces.flatMap { $0 })
        let empty = GzipWriter()
        #expect(try Gzip.decompress(empty.finish()).get() == [])
    }

    @Test func truncatedGzipSaysSo() {
        let compressed = Gzip.compress([UInt8](repeating: 3, count: 5000) + (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        let failure = Gzip.decompress(Array(compressed.prefix(compressed.count / 2)))
        #expect(throws: GzipFailure(reason: "the compressed data ends early (the file is truncated)")) { try failure.get() }
    }

    @Test func corruptGzipSaysSo() {
        var compressed = Gzip.compress(Array("hello hello hello".utf8))
        for i in 10..<(compressed.count - 8) { compressed[i] ^= 0x5A }
        #expect {
            try Gzip.decompress(compressed).get()
        } throws: { error in
            (error as? GzipFailure)?.reason.contains("corrupt") == true || (error as? GzipFailure)?.reason.contains("truncated") == true
        }
    }

    @Test func decompressionStopsAtTheLimit() {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect { try Gzip.decompress(bomb, limit: 1000).get() } throws: { "\($0)".contains("more than 1000 bytes") }
    }

    @Test func idxRoundTrips() throws {
        let data = IDXFile.encode(dimensions: [2, 3, 2], bytes: Array(0..<12))
        let file = try IDXFile(parsing: data, dimensionCount: 3)
        #expect(file.dimensions == [2, 3, 2])
        #expect(file.bytes == Array(0..<12))
    }

    @Test(
        arguments: [
            ([0, 0, 8], "too few"),
            ([1, 0, 8, 1, 0, 0, 0, 1, 5], "two zero bytes"),
            ([0, 0, 0x0D, 1, 0, 0, 0, 1, 5], "element type is 0xd"),
            ([0, 0, 8, 1, 0, 0, 0, 3, 5], "truncated: the header announces 3 = 3 bytes of data, but only 1 follow"),
            ([0, 0, 8, 1, 0, 0, 0, 1, 5, 6], "1 bytes more"),
            ([0, 0, 8, 1, 0, 0], "header is cut short"),
        ] as [([UInt8], String)])
    func badIDXSaysWhy(data: [UInt8], expected: String) {
        #expect { try IDXFile(parsing: data, dimensionCount: 1) } throws: { "\(($0 as! IDXProblem).description)".contains(expected) }
    }
}
