import Fluent
import Foundation
import NeuralNetwork
import Vapor
import DigitImaging

/// Digits in the database, by concern: a person's digit stored (here, with its replay and
/// the held-out rule), bulk reads for training (`DigitStore+BulkReads.swift`), and the order
/// digits were stored in with positions in it (`DigitStore+StoredOrder.swift`).
enum DigitStore {
    /// Every `heldOutEvery`-th person's digit is held out from training, so accuracy on
    /// people's own drawings can be measured.
    static let heldOutEvery = 5

    /// The one held-out rule: whether the person's digit stored after `earlier` others goes
    /// to training. A lone store and an import both follow it.
    static func goesToTraining(after earlier: Int) -> Bool { (earlier + 1) % heldOutEvery != 0 }

    /// Who gave a digit (`Contributors`).
    struct Giver: Sendable {
        let contributor: String
        let addressHash: String
    }

    /// What storing a digit did.
    struct Stored: Sendable {
        let record: DigitRecord
        /// True when the digit had been stored before under the same idempotency key.
        let isReplay: Bool
        /// How many more verified digits start the next retraining, counted in the same transaction.
        let digitsUntilRetraining: Int
    }

    /// Stores a person's verified digit, or finds the one stored earlier under `key`.
    ///
    /// Counting and inserting in one transaction, under `WriteLock.peoplesDigits`, gives
    /// concurrent stores distinct positions (and so the right held-out share), on PostgreSQL
    /// too, whose READ COMMITTED would let two count the same; a key used before returns that digit, or 422 when
    /// it came with a different drawing or label.
    ///
    /// `limit` takes the client's token in the same transaction (one statement more, where a
    /// transaction of its own cost stores several times their p50); over the limit nothing is stored and
    /// the 429 says when to try again. A replay takes no token.
    ///
    /// With a `giver`, the client's address bucket and the contributor's are both taken (a new
    /// contributor id costs nothing; an address does).
    static func store(
        _ digit: NormalisedDigit, label: Int, guessed: Int, key: String?, every: Int, giver: Giver? = nil,
        limit: (RateLimiter, client: String)? = nil, on database: any Database
    ) async throws -> Stored {
        do {
            return try await database.writeTransaction(locking: .peoplesDigits) { database in
                if let key, let earlier = try await replay(key, digit: digit, label: label, every: every, on: database) { return earlier }
                if let (limiter, client) = limit {
                    try await limiter.takeOrRefuse(for: client, in: database)
                    if let giver {
                        try await limiter.takeOrRefuse(for: "contributor:\(giver.contributor)", who: "this contributor", in: database)
                    }
                }
                let earlier = try await count(from: .person, on: database)
                let record = DigitRecord(
                    pixels: Data(digit.bytes), label: label, inTrainingSet: goesToTraining(after: earlier), source: .person,
                    guessedLabel: guessed, idempotencyKey: key, contributor: giver?.contributor, clientHash: giver?.addressHash)
                try await record.create(on: database)
                return Stored(
                    record: record, isReplay: false,
                    digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: every, on: database))
            }
        } catch {
            // Two retries with one key at once: the unique index let one in; this one replays it.
            if let key, let earlier = try? await replay(key, digit: digit, label: label, every: every, on: database) { return earlier }
            throw error
        }
    }

    private static func replay(_ key: String, digit: NormalisedDigit, label: Int, every: Int, on database: any Database) async throws
        -> Stored?
    {
        guard let earlier = try await DigitRecord.query(on: database).filter(\.$idempotencyKey == key).first() else { return nil }
        guard earlier.label == label, earlier.pixels == Data(digit.bytes) else {
            throw Abort(
                .unprocessableEntity,
                reason:
                    "this Idempotency-Key was already used for a different digit (label \(earlier.label)); send a new key with each new digit"
            )
        }
        return Stored(
            record: earlier, isReplay: true,
            digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: every, on: database))
    }

    /// Deletes the people's digits `digits` selects, counted in the same transaction (under the
    /// lock stores take, so a store never lands between the count and the deletion); how many.
    static func delete(
        _ digits: @escaping @Sendable (any Database) -> QueryBuilder<DigitRecord>, on database: any Database
    ) async throws -> Int {
        try await database.writeTransaction(locking: .peoplesDigits) { database in
            let selected = digits(database).filter(\.$source == .person)
            let count = try await selected.copy().count()
            try await selected.delete()
            return count
        }
    }

    /// How many digits come from `source`.
    static func count(from source: DigitSource, on database: any Database) async throws -> Int {
        try await DigitRecord.query(on: database).filter(\.$source == source).count()
    }
}
