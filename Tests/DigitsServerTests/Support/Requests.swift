import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

let adminHeaders: HTTPHeaders = ["Authorization": "Bearer test-admin-token"]

func storeSeven(label: Int = 7, on app: Application) async throws -> StoredDigitResponse {
    let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": \#(label)}"#)
    var stored: StoredDigitResponse?
    try await app.testing().test(.POST, "api/digits", headers: ["Content-Type": "application/json"], body: body) { response in
        #expect(response.status == .created)
        stored = try response.content.decode(StoredDigitResponse.self)
    }
    return try #require(stored)
}
