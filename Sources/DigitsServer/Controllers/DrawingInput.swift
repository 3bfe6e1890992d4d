import DigitImaging
import Vapor

/// Reads a drawing from a request: PNG bytes as the body (`Content-Type: image/png`), or a
/// multipart form with the PNG in a field named `image`.
enum DrawingInput {
    struct Form: Content {
        var image: File
        var label: Int?
    }

    /// The drawing in the request body, normalised to 28x28; bad input becomes a 4xx with a sentence.
    static func normalisedDigit(from request: Request) throws -> NormalisedDigit {
        try normalise(pngBytes(from: request))
    }

    /// PNG bytes normalised to 28x28; bad input becomes a 4xx with a sentence.
    static func normalise(_ bytes: [UInt8]) throws -> NormalisedDigit {
        do {
            return try DigitNormaliser.normalise(png: bytes)
        } catch {
            throw Abort(status(for: error), reason: error.description)
        }
    }

    /// The most bytes a drawing may have: a phone's full-screen canvas is well under 1 MB.
    static let maxBytes = 2 << 20

    static func pngBytes(from request: Request) throws -> [UInt8] {
        // The server's body limit stops larger uploads while they stream; this also covers
        // bodies that arrive whole.
        if let body = request.body.data, body.readableBytes > maxBytes {
            throw Abort(.payloadTooLarge, reason: "the drawing is \(body.readableBytes) bytes; at most \(maxBytes) are accepted")
        }
        guard let type = request.headers.contentType else {
            throw Abort(.unsupportedMediaType, reason: "send the drawing as image/png or as a multipart form with an image field")
        }
        if type == .png {
            guard let body = request.body.data, body.readableBytes > 0 else { throw Abort(.badRequest, reason: "the request has no image") }
            return Array(body.readableBytesView)
        }
        if type.type == "multipart", type.subType == "form-data" {
            let form = try request.content.decode(Form.self)
            return Array(form.image.data.readableBytesView)
        }
        throw Abort(.unsupportedMediaType, reason: "\(type.type)/\(type.subType) is not a drawing: send image/png or a multipart form")
    }

    static func status(for error: DrawingError) -> HTTPResponseStatus {
        switch error {
        case .notPNG: .badRequest
        case .empty, .blank, .sizeMismatch: .unprocessableEntity
        case .tooLarge: .payloadTooLarge
        }
    }
}

extension NormalisedDigit {
    /// The 28x28 image as a PNG data URL, for an `<img>`.
    var pngDataURL: String { DrawingInput.dataURL(png: png) }
}

extension DrawingInput {
    /// PNG bytes as a data URL, for an `<img>`.
    static func dataURL(png: [UInt8]) -> String { "data:image/png;base64," + Data(png).base64EncodedString() }
}
