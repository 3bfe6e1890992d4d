import DigitImaging
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

struct SchemaCheckerTests {
    @Test func reportsWrongTypesMissingAndUndocumentedProperties() throws {
        let document = OpenAPIDocument(root: [:])
        let schema: [String: Any] = [
            "type": "object", "required": ["count", "name"],
            "properties": ["count": ["type": "integer"], "flag": ["type": "boolean"], "name": ["type": "string", "enum": ["a"]]],
        ]
        let value = try JSONValue(parsing: #"{"count": 1.5, "flag": 1, "extra": null}"#)
        #expect(
            Set(document.problems(value, against: schema)) == [
                "$.name is missing", "$.count is not of type integer: 1.5", "$.flag is not of type boolean: 1", "$.extra is not documented",
            ])
        #expect(document.problems(try JSONValue(parsing: #"{"count": 2, "name": "a"}"#), against: schema).isEmpty)
    }
}
