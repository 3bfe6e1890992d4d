import CZlibShim

/// gzip through the system zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The inflated bytes of a gzip stream, or a sentence saying what is wrong with it.
    /// `limit` caps the output, so that a crafted file cannot take all memory.
    public static func decompress(_ bytes: [UInt8], limit: Int = 256 << 20) -> Result<[UInt8], GzipFailure> {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { input in
            digits_gunzip(input.baseAddress, input.count, limit, &output, &length, &message, message.count)
        }
        guard status == 0, let output else {
            return .failure(GzipFailure(reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        defer { digits_zlib_free(output) }
        return .success(Array(UnsafeBufferPointer(start: output, count: length)))
    }

    /// `bytes` as a gzip stream (for writing test files in MNIST's form).
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let status = bytes.withUnsafeBufferPointer { digits_gzip($0.baseAddress, $0.count, &output, &length) }
        precondition(status == 0 && output != nil, "zlib failed to compress \(bytes.count) bytes")
        defer { digits_zlib_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}

/// Why a gzip stream could not be inflated.
public struct GzipFailure: Error, Equatable {
    public let reason: String
}

/// A gzip stream made piece by piece (an export of people's digits is compressed as it is
/// read from the database, never held whole).
public final class GzipWriter {
    private let stream: OpaquePointer
    private var finished = false

    public init() {
        guard let stream = digits_gzip_stream_new() else { fatalError("zlib could not start a gzip stream (out of memory)") }
        self.stream = stream
    }

    deinit { digits_gzip_stream_free(stream) }

    /// Compresses `bytes`; returns the compressed bytes ready so far (often none: zlib keeps
    /// up to its window before it writes).
    public func write(_ bytes: [UInt8]) -> [UInt8] { run(bytes, finish: false) }

    /// Ends the stream: the compressed bytes still held, and the gzip trailer.
    public func finish() -> [UInt8] {
        precondition(!finished, "the gzip stream was already finished")
        defer { finished = true }
        return run([], finish: true)
    }

    private func run(_ bytes: [UInt8], finish: Bool) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var offset = 0
        while true {
            var consumed = 0
            var produced = 0
            let status = bytes.withUnsafeBufferPointer { input in
                chunk.withUnsafeMutableBufferPointer { out in
                    digits_gzip_stream_write(
                        stream, input.baseAddress.map { $0 + offset }, input.count - offset, finish ? 1 : 0, out.baseAddress, out.count,
                        &consumed, &produced)
                }
            }
            precondition(status >= 0, "zlib failed to compress")
            offset += consumed
            output += chunk[0..<produced]
            if status == 1 || (!finish && offset == bytes.count && produced < chunk.count) { return output }
        }
    }
}
