import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// One reader of drawings and one size rule, however the drawing arrives.
@Suite(.serialized) struct DrawingInputTests {
    /// The same bytes as a PNG body, a form, base64 JSON and a data URL.
    func requests(of bytes: [UInt8]) -> [(path: String, headers: HTTPHeaders, body: ByteBuffer)] {
        let base64 = Data(bytes).base64EncodedString()
        var form = ByteBuffer(string: "--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\n\r\n")
        form.writeBytes(bytes)
        form.writeString("\r\n--B\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n7\r\n--B--\r\n")
        let multipart: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=B"]
        let json: HTTPHeaders = ["Content-Type": "application/json"]
        return [
            ("api/guess", ["Content-Type": "image/png"], ByteBuffer(bytes: bytes)),
            ("api/guess", multipart, form),
            ("api/digits", multipart, form),
            ("api/digits", json, ByteBuffer(string: #"{"image": "\#(base64)", "label": 7}"#)),
            ("api/digits", json, ByteBuffer(string: #"{"image": "data:image/png;base64,\#(base64)", "label": 7}"#)),
        ]
    }

    @Test func everyCarrierTakesUpToTheSameSizeAndRefusesOneByteMore() async throws {
        try await withApp { app in
            let fits = [UInt8](repeating: 0x20, count: DrawingInput.maxBytes)
            for request in requests(of: fits) {
                try await app.testing().test(.POST, request.path, headers: request.headers, body: request.body) { response in
                    // Read in full, then found not to be a PNG: the size rule let it through.
                    #expect(response.status == .badRequest, "\(request.path) \(request.headers)")
                }
            }
            for request in requests(of: fits + [0x20]) {
                try await app.testing().test(.POST, request.path, headers: request.headers, body: request.body) { response in
                    #expect(response.status == .payloadTooLarge, "\(request.path) \(request.headers)")
                    let error = try response.content.decode(ErrorBody.self)
                    #expect(error.reason.contains("at most \(DrawingInput.maxBytes)"), "\(error.reason)")
                }
            }
            #expect(try await DigitRecord.query(on: app.db).filter(\.$source == .person).count() == 0)
        }
    }
}
