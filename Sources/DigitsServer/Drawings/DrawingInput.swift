import DigitImaging
import Vapor

/// Reads a drawing from a request, the one way every route does: PNG bytes as the body
/// (`image/png`), a multipart form with the PNG in a field named `image` (and `label`), or
/// JSON `{"image": base64 PNG or data URL, "label": n}`. One size rule for all three.
enum DrawingInput {
    /// How a request may carry its drawing.
    enum Carrier: Sendable {
        case png, multipart, json
    }

    struct Drawing {
        let png: [UInt8]
        let label: Int?
    }

    struct Form: Content {
        var image: File
        var label: Int?
    }

    struct JSONBody: Content {
        var image: String
        var label: Int?
    }

    /// The most bytes a drawing's PNG may have: a phone's full-screen canvas is well under 1 MB.
    static let maxBytes = 2 << 20
    /// The most bytes a request carrying one may have: base64 makes the PNG a third larger,
    /// and a form or JSON adds a few hundred bytes. The server stops larger bodies while they
    /// stream in.
    static let maxBodyBytes = maxBytes * 4 / 3 + 4096

    /// The drawing in `request`, carried as one of `accepted`; bad input becomes a 4xx with a sentence.
    static func drawing(from request: Request, accepting accepted: [Carrier]) throws -> Drawing {
        if let body = request.body.data, body.readableBytes > maxBodyBytes {
            throw Abort(.payloadTooLarge, reason: "the request is \(body.readableBytes) bytes; a drawing may have at most \(maxBytes)")
        }
        let drawing: Drawing
        switch carrier(of: request) {
        case .png? where accepted.contains(.png):
            guard let body = request.body.data, body.readableBytes > 0 else { throw Abort(.badRequest, reason: "the request has no image") }
            drawing = Drawing(png: Array(body.readableBytesView), label: nil)
        case .multipart? where accepted.contains(.multipart):
            if let body = request.body.data, let boundary = request.headers.contentType?.parameters["boundary"],
                !MultipartGuard.isSafe(body.readableBytesView, boundary: boundary)
            {
                throw Abort(.badRequest, reason: "the form's part headers are malformed: their names must be ASCII")
            }
            let form: Form
            do {
                form = try request.content.decode(Form.self)
            } catch {
                throw Abort(.badRequest, reason: "the form needs an image file\(accepted.contains(.json) ? " and a label (0-9)" : "")")
            }
            drawing = Drawing(png: Array(form.image.data.readableBytesView), label: form.label)
        case .json? where accepted.contains(.json):
            let body: JSONBody
            do {
                body = try request.content.decode(JSONBody.self)
            } catch {
                throw Abort(.badRequest, reason: "the body must be JSON with \"image\" (a base64 PNG) and \"label\" (0-9)")
            }
            let encoded = body.image.hasPrefix("data:") ? String(body.image.drop { $0 != "," }.dropFirst()) : body.image
            guard let data = Data(base64Encoded: encoded) else { throw Abort(.badRequest, reason: "\"image\" is not base64") }
            drawing = Drawing(png: [UInt8](data), label: body.label)
        default:
            let type = request.headers.contentType.map { "\($0.type)/\($0.subType)" } ?? "a request without a Content-Type"
            throw Abort(.unsupportedMediaType, reason: "\(type) is not accepted here: send \(describe(accepted))")
        }
        guard drawing.png.count <= maxBytes else {
            throw Abort(.payloadTooLarge, reason: "the drawing is \(drawing.png.count) bytes; at most \(maxBytes) are accepted")
        }
        return drawing
    }

    private static func carrier(of request: Request) -> Carrier? {
        guard let type = request.headers.contentType else { return nil }
        if type == .png { return .png }
        if type == .json { return .json }
        if type.type == "multipart", type.subType == "form-data" { return .multipart }
        return nil
    }

    private static func describe(_ carriers: [Carrier]) -> String {
        carriers.map {
            switch $0 {
            case .png: "the PNG as image/png"
            case .multipart: "a multipart form with an image field"
            case .json: "JSON {\"image\", \"label\"}"
            }
        }.joined(separator: " or ")
    }

    /// PNG bytes normalised to 28x28; bad input becomes a 4xx with a sentence.
    static func normalise(_ bytes: [UInt8]) throws -> NormalisedDigit {
        do {
            return try DigitNormaliser.normalise(png: bytes)
        } catch {
            throw abort(for: error)
        }
    }

    static func abort(for error: DrawingError) -> Abort {
        let status: HTTPResponseStatus =
            switch error {
            case .notPNG, .excessData, .excessMetadata: .badRequest
            case .empty, .blank, .sizeMismatch: .unprocessableEntity
            case .tooLarge: .payloadTooLarge
            }
        return Abort(status, reason: error.description)
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
