import DigitImaging
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct StoreDigitTests {
    func json(_ label: Int, image: [UInt8] = sevenPNG(), dataURL: Bool = false) -> ByteBuffer {
        let encoded = (dataURL ? "data:image/png;base64," : "") + Data(image).base64EncodedString()
        return ByteBuffer(string: #"{"image": "\#(encoded)", "label": \#(label)}"#)
    }

    @Test func storesVerifiedDigitsAndHoldsOutEveryFifth() async throws {
        try await withApp { app in
            var sets: [String] = []
            for index in 0..<10 {
                try await app.testing().test(
                    .POST, "api/digits", headers: ["Content-Type": "application/json"], body: json(7, dataURL: index % 2 == 0)
                ) { response in
                    #expect(response.status == .created)
                    let stored = try response.content.decode(StoredDigitResponse.self)
                    #expect(stored.label == 7)
                    #expect((0...9).contains(stored.guessedLabel))
                    sets.append(stored.set)
                }
            }
            #expect(
                sets == [
                    "training", "training", "training", "training", "held-out", "training", "training", "training", "training", "held-out",
                ])
            let people = try await DigitRecord.query(on: app.db).filter(\.$source == .person).all()
            #expect(people.count == 10)
            #expect(people.allSatisfy { $0.pixels.count == 784 && $0.label == 7 && $0.guessedLabel != nil })
        }
    }

    @Test func aCorrectedLabelIsStoredAsGivenThroughAForm() async throws {
        try await withApp { app in
            var form = ByteBuffer()
            let boundary = "digits-test-boundary"
            form.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n1\r\n")
            form.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n")
            form.writeBytes(sevenPNG())
            form.writeString("\r\n--\(boundary)--\r\n")
            try await app.testing().test(
                .POST, "api/digits", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: form
            ) { response in
                #expect(response.status == .created)
                let stored = try response.content.decode(StoredDigitResponse.self)
                #expect(stored.label == 1)
            }
        }
    }

    @Test func badRequestsStoreNothing() async throws {
        try await withApp { app in
            let blank = PNGCodec.encode([UInt8](repeating: 255, count: 100), width: 10, height: 10, layout: .grey)
            let cases: [(HTTPHeaders, ByteBuffer, HTTPResponseStatus, String)] = [
                (["Content-Type": "application/json"], json(12), .unprocessableEntity, "from 0 to 9"),
                (["Content-Type": "application/json"], json(-1), .unprocessableEntity, "from 0 to 9"),
                (["Content-Type": "application/json"], json(3, image: blank), .unprocessableEntity, "blank"),
                (["Content-Type": "application/json"], ByteBuffer(string: #"{"label": 3}"#), .badRequest, "JSON with"),
                (["Content-Type": "application/json"], ByteBuffer(string: #"{"image": "%%%", "label": 3}"#), .badRequest, "not base64"),
                (["Content-Type": "text/plain"], ByteBuffer(string: "7"), .unsupportedMediaType, "not accepted"),
            ]
            for (headers, body, status, reason) in cases {
                try await app.testing().test(.POST, "api/digits", headers: headers, body: body) { response in
                    #expect(response.status == status, "\(reason)")
                    let error = try response.content.decode(ErrorBody.self)
                    #expect(error.reason.contains(reason), "\(error.reason)")
                }
            }
            let people = try await DigitRecord.query(on: app.db).filter(\.$source == .person).count()
            #expect(people == 0)
        }
    }
}
