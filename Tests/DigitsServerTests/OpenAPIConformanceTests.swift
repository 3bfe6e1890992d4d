import DigitImaging
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// The OpenAPI document, read the way a client would, with a small JSON Schema checker for
/// what the server's responses contain.
struct OpenAPIDocument {
    let root: [String: Any]

    var paths: [String: [String: Any]] { root["paths"] as? [String: [String: Any]] ?? [:] }

    /// "GET /api/models/{version}/live" for every documented operation.
    var operations: Set<String> {
        Set(paths.flatMap { path, item in item.keys.map { "\($0.uppercased()) \(path)" } })
    }

    func operation(_ method: String, _ path: String) -> [String: Any]? {
        paths[path]?[method.lowercased()] as? [String: Any]
    }

    /// The documented response for `status`, with `$ref`s followed.
    func response(_ method: String, _ path: String, status: UInt) -> [String: Any]? {
        guard let responses = operation(method, path)?["responses"] as? [String: Any],
            let response = responses[String(status)] as? [String: Any]
        else { return nil }
        return resolve(response)
    }

    func resolve(_ object: [String: Any]) -> [String: Any] {
        guard let reference = object["$ref"] as? String else { return object }
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] as Any }
        return resolve(node as? [String: Any] ?? [:])
    }

    /// Where `value` breaks `schema`: wrong types, missing required or undocumented properties,
    /// values outside an enum, arrays of the wrong length.
    func problems(_ value: JSONValue, against schema: [String: Any], at where_: String = "$") -> [String] {
        let schema = resolve(schema)
        var found: [String] = []
        switch (schema["type"] as? String, value) {
        case ("object", .object(let members)):
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            let keys = Set(members.map(\.key))
            for key in schema["required"] as? [String] ?? [] where !keys.contains(key) { found.append("\(where_).\(key) is missing") }
            for (key, item) in members {
                guard let property = properties[key] else {
                    if !properties.isEmpty { found.append("\(where_).\(key) is not documented") }
                    continue
                }
                found += problems(item, against: property, at: "\(where_).\(key)")
            }
        case ("array", .array(let items)):
            if let least = schema["minItems"] as? Int, items.count < least { found.append("\(where_) has \(items.count) items") }
            if let most = schema["maxItems"] as? Int, items.count > most { found.append("\(where_) has \(items.count) items") }
            if let itemSchema = schema["items"] as? [String: Any] {
                for (index, item) in items.enumerated() { found += problems(item, against: itemSchema, at: "\(where_)[\(index)]") }
            }
        case ("string", .string(let text)):
            if let allowed = schema["enum"] as? [String], !allowed.contains(text) {
                found.append("\(where_) is \(text), not one of \(allowed)")
            }
        case ("integer", .number(let number)) where number.rounded() == number: break
        case ("number", .number), ("boolean", .bool), (nil, _): break
        case (let type?, _): found.append("\(where_) is not of type \(type): \(value.description.prefix(40))")
        }
        return found
    }
}

@Suite(.serialized)
struct OpenAPIConformanceTests {
    /// "GET /api/models/{version}/live" for every route the server has.
    func serverOperations(_ app: Application) -> Set<String> {
        Set(
            app.routes.all.map { route in
                let path = route.path.map { component -> String in
                    let text = component.description
                    return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                }
                return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
            })
    }

    func document(_ app: Application) async throws -> OpenAPIDocument {
        var root: [String: Any] = [:]
        try await app.testing().test(.GET, "openapi.json") { response in
            #expect(response.status == .ok)
            root = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        }
        return OpenAPIDocument(root: root)
    }

    @Test func documentsEveryRouteAndNoOther() async throws {
        try await withApp { app in
            let document = try await document(app)
            #expect(document.root["openapi"] as? String == "3.1.0")
            #expect(serverOperations(app) == document.operations)
        }
    }

    @Test func everyResponseMatchesItsDocumentedSchema() async throws {
        try await withApp({
            $0.networkSizes = [784, 100, 10]
            $0.training.epochs = 3_000  // on the test digits, a run only a cancel ends
        }) { app in
            let document = try await document(app)
            var checked: [String] = []

            /// Sends a request and holds its status and body to the document.
            func check(
                _ method: HTTPMethod, _ uri: String, documented path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
                expecting status: HTTPStatus
            ) async throws {
                try await app.testing().test(method, uri, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(method) \(uri)")
                    let name = "\(method.rawValue) \(path) \(response.status.code)"
                    checked.append(name)
                    guard let documented = document.response(method.rawValue, path, status: response.status.code) else {
                        Issue.record("\(name) is not documented")
                        return
                    }
                    guard let content = documented["content"] as? [String: Any] else {
                        #expect(response.body.readableBytes == 0, "\(name) has an undocumented body")
                        return
                    }
                    if let json = content["application/json"] as? [String: Any], let schema = json["schema"] as? [String: Any] {
                        #expect(response.headers.contentType == .json, "\(name)")
                        let value = try JSONValue(parsing: response.body.string)
                        let problems = document.problems(value, against: schema)
                        #expect(problems.isEmpty, "\(name): \(problems)")
                    } else {
                        let type = response.headers.contentType.map { "\($0.type)/\($0.subType)" } ?? "none"
                        #expect(content[type] != nil, "\(name) answered \(type)")
                    }
                }
            }

            let png: HTTPHeaders = ["Content-Type": "image/png"]
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            let blank = PNGCodec.encode([UInt8](repeating: 255, count: 100), width: 10, height: 10, layout: .grey)
            let storeBody = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
            var admin = adminHeaders
            admin.add(name: .contentType, value: "application/json")

            try await check(.GET, "health", documented: "/health", expecting: .ok)
            try await check(.GET, "metrics", documented: "/metrics", expecting: .ok)
            try await check(.POST, "api/guess", documented: "/api/guess", headers: png, body: ByteBuffer(bytes: sevenPNG()), expecting: .ok)
            try await check(
                .POST, "api/guess", documented: "/api/guess", headers: png, body: ByteBuffer(string: "x"), expecting: .badRequest)
            try await check(
                .POST, "api/guess", documented: "/api/guess", headers: png, body: ByteBuffer(bytes: blank), expecting: .unprocessableEntity)
            try await check(.POST, "api/guess", documented: "/api/guess", headers: json, body: storeBody, expecting: .unsupportedMediaType)
            try await check(
                .POST, "api/guess", documented: "/api/guess", headers: png, body: ByteBuffer(repeating: 0, count: 3 << 20),
                expecting: .payloadTooLarge)
            try await check(.POST, "api/digits", documented: "/api/digits", headers: json, body: storeBody, expecting: .created)
            try await check(
                .POST, "api/digits", documented: "/api/digits", headers: json, body: ByteBuffer(string: #"{"label": 1}"#),
                expecting: .badRequest)
            try await check(
                .POST, "api/digits", documented: "/api/digits", headers: json,
                body: ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 10}"#),
                expecting: .unprocessableEntity)
            try await check(.GET, "api/digits", documented: "/api/digits", expecting: .ok)
            try await check(.GET, "api/digits?per=1000", documented: "/api/digits", expecting: .badRequest)
            try await check(.GET, "api/model", documented: "/api/model", expecting: .ok)
            try await check(.POST, "api/model/retrain", documented: "/api/model/retrain", expecting: .unauthorized)
            try await check(.POST, "api/model/retrain", documented: "/api/model/retrain", headers: adminHeaders, expecting: .accepted)
            try await check(.POST, "api/model/retrain", documented: "/api/model/retrain", headers: adminHeaders, expecting: .conflict)
            try await check(.GET, "api/model", documented: "/api/model", expecting: .ok)  // with a retraining running
            try await check(.DELETE, "api/model/training", documented: "/api/model/training", headers: adminHeaders, expecting: .ok)
            await (try model(of: app)).retrainer.waitUntilIdle()
            try await check(.DELETE, "api/model/training", documented: "/api/model/training", headers: adminHeaders, expecting: .notFound)
            try await check(.GET, "api/models", documented: "/api/models", expecting: .ok)
            try await check(.POST, "api/models/1/live", documented: "/api/models/{version}/live", headers: adminHeaders, expecting: .ok)
            try await check(
                .POST, "api/models/2/live", documented: "/api/models/{version}/live", headers: adminHeaders, expecting: .conflict)
            try await check(
                .POST, "api/models/9/live", documented: "/api/models/{version}/live", headers: adminHeaders, expecting: .notFound)
            try await check(
                .POST, "api/models/x/live", documented: "/api/models/{version}/live", headers: adminHeaders, expecting: .badRequest)
            let stored = try await storeSeven(on: app)
            try await check(.DELETE, "api/digits/\(stored.id)", documented: "/api/digits/{id}", expecting: .unauthorized)
            try await check(
                .DELETE, "api/digits/\(stored.id)", documented: "/api/digits/{id}", headers: adminHeaders, expecting: .noContent)
            try await check(.DELETE, "api/digits/\(stored.id)", documented: "/api/digits/{id}", headers: adminHeaders, expecting: .notFound)
            try await check(.DELETE, "api/digits/x", documented: "/api/digits/{id}", headers: adminHeaders, expecting: .badRequest)
            try await check(.GET, "openapi.json", documented: "/openapi.json", expecting: .ok)
            try await check(.GET, "", documented: "/", expecting: .ok)
            try await check(.GET, "static/app.js", documented: "/static/{name}", expecting: .ok)
            try await check(.GET, "static/style.css", documented: "/static/{name}", expecting: .ok)
            try await check(.GET, "static/nothing.js", documented: "/static/{name}", expecting: .notFound)
            #expect(checked.count == 33)
        }
    }
}
