import Fluent
import Foundation
import Vapor

/// An admin's review of a version held for it (`CrowdCheck`): approved, it goes live and is
/// closed as promoted; discarded, it is closed as rejected. Either way its reason keeps why it
/// was held.
extension ModelVersions {
    func approve(_ version: Int) async throws -> ModelVersionRecord {
        // Whether it is held, from its summary, before its network is read and decoded.
        try Self.requireHeld(try await Self.summary(of: version, on: database))
        let (record, network) = try await Self.storedNetwork(of: version, on: database)
        let reason = "approved by an admin; it was \(record.reason ?? "held for review")"
        try await switchLive(to: version, network: network) { database in
            guard let row = try await Self.heldRow(version, on: database) else {
                throw Abort(.conflict, reason: "version \(version) is no longer held for review: another admin decided first")
            }
            row.isLive = true
            row.outcome = .promoted
            row.reason = reason
            try await row.save(on: database)
        }
        record.isLive = true
        record.outcome = .promoted
        record.reason = reason
        return record
    }

    func discard(_ version: Int) async throws -> ModelVersionRecord {
        let record = try await Self.summary(of: version, on: database)
        try Self.requireHeld(record)
        let reason = "discarded by an admin; it was \(record.reason ?? "held for review")"
        try await database.writeTransaction(locking: .liveVersion) { database in
            guard let row = try await Self.heldRow(version, on: database) else {
                throw Abort(.conflict, reason: "version \(version) is no longer held for review: another admin decided first")
            }
            row.outcome = .rejected
            row.reason = reason
            try await row.save(on: database)
        }
        record.outcome = .rejected
        record.reason = reason
        return record
    }

    private static func requireHeld(_ record: ModelVersionRecord) throws {
        guard record.outcome == .held else {
            throw Abort(
                .conflict,
                reason:
                    "version \(record.version) is not held for review (\(record.outcome?.rawValue ?? "training")); only a held version can be approved or discarded"
            )
        }
    }

    private static func heldRow(_ version: Int, on database: any Database) async throws -> ModelVersionRecord? {
        try await ModelVersionRecord.query(on: database).filter(\.$version == version).filter(\.$outcome == .held).first()
    }

    private static func summary(of version: Int, on database: any Database) async throws -> ModelVersionRecord {
        guard let record = try await ModelVersionRecord.summaries(on: database).filter(\.$version == version).first() else {
            throw Abort(.notFound, reason: "there is no model version \(version)")
        }
        return record
    }
}
