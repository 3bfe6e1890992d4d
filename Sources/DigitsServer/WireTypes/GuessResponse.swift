import Vapor

/// What a guess returns.
///
/// Written as JSON by hand (see `encodeResponse`): it is the hottest response, and the generic
/// encoder spent more time on its 784 pixels than the network spent reading them.
struct GuessResponse: Codable {
    /// The most active output neuron.
    let digit: Int
    /// The ten output neurons' sigmoid activations, in [0, 1]. Each is independent: they are
    /// not probabilities and need not add up to 1.
    let activations: [Float]
    /// The activations as percentages, rounded to one decimal.
    let percentages: [Double]
    /// The 28x28 image the drawing was normalised to, as it is stored (0 background, 255 ink),
    /// row-major; a model that deskews reads it deskewed.
    let pixels: [UInt8]
    /// The same image as a PNG data URL, for an `<img>`.
    let image: String
    /// The version of the model that guessed.
    let modelVersion: Int
    /// Whether the outputs single out `digit` (`GuessCertainty`); when not, the page asks.
    let sure: Bool
    /// The digits to offer the person, most active first: only `digit` when sure, else two or three.
    let candidates: [Int]
    /// With `?explain=1`: each hidden layer's activations, first layer first.
    var hidden: [[Float]]? = nil
    /// With `?explain=1`: how much each neuron of the last hidden layer pushed `digit`'s output,
    /// its activation times its weight into that output neuron (the weighted input z's terms).
    var contributions: [Float]? = nil

    /// The 200 response carrying this guess as JSON.
    func response(allocator: ByteBufferAllocator) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: json(allocator: allocator)))
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
        // Written straight into the buffer: through `writeBytes` per pixel, the 784 small
        // writes cost more than everything else in the response.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 4 * pixels.count) { out in
            var at = 0
            for (index, value) in pixels.enumerated() {
                if index > 0 {
                    out[at] = UInt8(ascii: ",")
                    at += 1
                }
                if value >= 100 {
                    out[at] = UInt8(ascii: "0") + value / 100
                    at += 1
                }
                if value >= 10 {
                    out[at] = UInt8(ascii: "0") + value / 10 % 10
                    at += 1
                }
                out[at] = UInt8(ascii: "0") + value % 10
                at += 1
            }
            return at
        }
        buffer.writeString(#"],"image":""#)
        buffer.writeString(image)
        buffer.writeString(#"","modelVersion":\#(modelVersion),"sure":\#(sure),"candidates":["#)
        buffer.writeString(candidates.map(String.init).joined(separator: ","))
        buffer.writeString("]")
        if let hidden, let contributions {
            buffer.writeString(#","hidden":["#)
            buffer.writeString(hidden.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ","))
            buffer.writeString(#"],"contributions":["#)
            buffer.writeString(contributions.map { "\($0)" }.joined(separator: ","))
            buffer.writeString("]")
        }
        buffer.writeString("}")
        return buffer
    }
}
