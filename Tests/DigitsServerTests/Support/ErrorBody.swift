import DigitImaging
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

struct ErrorBody: Codable {
    let error: Bool
    let reason: String
}
