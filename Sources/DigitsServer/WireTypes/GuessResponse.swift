import Vapor

/// What a guess returns.
///
/// Written as JSON by hand (see `encodeResponse`): it is the hottest response, and the generic
/// encoder spent more time on its 784 pixels than the network spent reading them.
struct GuessResponse: Codable, AsyncResponseEncodable {
    /// The most active output neuron.
    let digit: Int
    /// The ten output neurons' sigmoid activations, in [0, 1]. Each is independent: they are
    /// not probabilities and need not add up to 1.
    let activations: [Float]
    /// The activations as percentages, rounded to one decimal.
    let percentages: [Double]
    /// The 28x28 image the network saw (0 background, 255 ink), row-major.
    let pixels: [UInt8]
    /// The same image as a PNG data URL, for an `<img>`.
    let image: String
    /// The version of the model that guessed.
    let modelVersion: Int

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: json(allocator: request.byteBufferAllocator)))
    }

    /// The same JSON `JSONEncoder` writes (numbers in Swift's shortest round-trip form; the
    /// data URL has no characters that need escaping).
    func json(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 4096 + image.utf8.count)
        buffer.writeString(#"{"digit":\#(digit),"activations":["#)
        buffer.writeString(activations.map { "\($0)" }.joined(separator: ","))
        buffer.writeString(#"],"percentages":["#)
        buffer.writeString(percentages.map { "\($0)" }.joined(separator: ","))
        buffer.writeString(#"],"pixels":["#)
        for (index, value) in pixels.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeBytes(Self.decimal[Int(value)])
        }
        buffer.writeString(#"],"image":""#)
        buffer.writeString(image)
        buffer.writeString(#"","modelVersion":\#(modelVersion)}"#)
        return buffer
    }

    /// "0" to "255" as bytes.
    private static let decimal: [[UInt8]] = (0...255).map { Array(String($0).utf8) }
}
