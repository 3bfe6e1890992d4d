import Fluent
import Vapor

/// What a model version gets wrong on people's held-out digits (`ConfusionMatrices`).
///
/// - `GET /api/models/:version/confusion`: accuracy per digit and the 10x10 matrix.
/// - `GET /api/models/:version/confusion/:label/:read?page=1&per=20`: the held-out digits
///   drawn as `label` that the version reads as `read`, newest first.
struct ConfusionController: RouteCollection {
    let matrices: ConfusionMatrices

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "models", ":version", "confusion", use: matrix)
        routes.get("api", "models", ":version", "confusion", ":label", ":read", use: cell)
    }

    @Sendable func matrix(request: Request) async throws -> ConfusionResponse {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        return ConfusionResponse(try await matrices.matrix(of: version))
    }

    @Sendable func cell(request: Request) async throws -> PersonDigitPage {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        let label = try request.boundedParameter("label", in: 0...9)
        let read = try request.boundedParameter("read", in: 0...9)
        let (page, per) = try request.pageAndPer()
        let ids = try await matrices.matrix(of: version).cells[label][read]
        let start = min(ids.count, (page - 1) * per)
        let chosen = Array(ids[start..<min(ids.count, start + per)])
        let records = try await DigitRecord.query(on: request.db).filter(\.$id ~~ chosen).all()
        let byID = Dictionary(records.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { a, _ in a })
        // In the matrix's order (newest first); a digit deleted since is left out.
        return PersonDigitPage(
            items: try chosen.compactMap { byID[$0] }.map(DigitController.response), page: page, per: per, total: ids.count)
    }
}

/// `GET /api/models/:version/confusion`.
struct ConfusionResponse: Content {
    /// One digit's row.
    struct DigitRow: Content {
        let digit: Int
        /// People's held-out drawings of this digit, and how many the version read right.
        let count: Int
        let correct: Int
        /// `correct / count`; absent when there are none.
        let accuracy: Double?
    }

    let version: Int
    /// How many of people's held-out digits it rests on, and how many were read right.
    let heldOut: Int
    let correct: Int
    let accuracy: Double?
    let digits: [DigitRow]
    /// `matrix[label][read]`: how many drawings of `label` the version read as `read`.
    let matrix: [[Int]]

    init(_ matrix: ConfusionMatrices.Matrix) {
        version = matrix.version
        heldOut = matrix.heldOut
        correct = matrix.correct
        accuracy = matrix.heldOut == 0 ? nil : Double(matrix.correct) / Double(matrix.heldOut)
        digits = (0..<10).map { digit in
            let count = matrix.counts[digit].reduce(0, +)
            let correct = matrix.counts[digit][digit]
            return DigitRow(digit: digit, count: count, correct: correct, accuracy: count == 0 ? nil : Double(correct) / Double(count))
        }
        self.matrix = matrix.counts
    }
}
