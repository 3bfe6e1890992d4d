import Fluent
import FluentPostgresDriver
import Foundation
import MNISTData
import NIOCore
import SQLKit
import Synchronization
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// The database the PostgreSQL tests may empty and fill; nil skips them.
let testPostgresURL = ProcessInfo.processInfo.environment["DIGITS_TEST_POSTGRES_URL"]

/// The server on PostgreSQL instead of SQLite: the same import, guesses, stores, retraining
/// claim and restart. Runs when `DIGITS_TEST_POSTGRES_URL` names a database the tests may
/// empty (`.ci/run` starts one); skipped otherwise, with that hint.
@Suite(
    .serialized,
    .enabled(if: testPostgresURL != nil, "set DIGITS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST/DATABASE to test on PostgreSQL")
)
struct PostgresTests {
    var settings: ServerSettings {
        var settings = ServerSettings.testing()
        settings.database = .postgres(url: testPostgresURL!)
        return settings
    }

    /// Drops every table, so each test starts as a fresh installation would.
    func emptyDatabase() async throws {
        let app = try await Application.make(.testing)
        app.databases.use(try .postgres(url: testPostgresURL!), as: .psql)
        do {
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// People's digits paged by creation time and id, as PostgreSQL orders them: an import of
    /// 2,500 (three pages, most created within one millisecond) exports in the order imported,
    /// and the export imported again exports the same bytes.
    @Test func anExportReadsBackIdenticalOnPostgreSQL() async throws {
        try await emptyDatabase()
        let digits = (0..<2_500).map { index in
            PeopleDigitsImport.Digit(
                pixels: (0..<784).map { UInt8(truncatingIfNeeded: $0 &* (index + 1)) }, label: index % 10, inTrainingSet: nil)
        }
        let location = DatabaseLocation.postgres(url: testPostgresURL!)
        let archive = try await withApp(settings: settings) { app in
            _ = try await PeopleDigitsImport.store(digits, contributor: "import-test", on: app.db)
            let archive = try await PeopleDigitsExport.idxArchive(from: app.db)
            let files = try TarArchive.files(in: archive)
            let images = try Gzip.decompress(try #require(files[PeopleDigitsExport.trainImages])).get()
            let training = digits.enumerated().filter { ($0.offset + 1) % 5 != 0 }.map(\.element)
            #expect(
                Array(images.dropFirst(16)) == training.flatMap(\.pixels) ? true : false,
                "the training images are not the imported digits in order")
            let csv = Mutex<[UInt8]>([])
            try await PeopleDigitsExport.write(.csv, from: app.db) { piece in csv.withLock { $0 += piece } }
            #expect(csv.withLock { $0.split(separator: UInt8(ascii: "\n")).count } == 2_501)
            return archive
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-pg-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(archive).write(to: URL(fileURLWithPath: folder + "/people.tar"))
        try await emptyDatabase()
        _ = try await DigitExchange.importDigits(from: folder + "/people.tar", into: location)
        try await DigitExchange.export(.idx, from: location, to: folder + "/again.tar")
        #expect(FileManager.default.contents(atPath: folder + "/again.tar") == Data(archive) ? true : false, "the second export differs")
    }

    @Test func firstStartGuessesTenDigitsANewVersionAndARestart() async throws {
        try await emptyDatabase()
        try await withApp(settings: settings) { app in
            let imported = try await DigitRecord.query(on: app.db).count()
            #expect(imported == TestDigits.total)
            // Read back in the order imported (creation time, then id), as a seed's training needs.
            let training = try await DigitStore.samples(from: .mnistTraining, on: app.db)
            #expect(training.labels == TestDigits.split.training.labels)
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
                response in
                #expect(response.status == .ok)
                let guess = try response.content.decode(GuessResponse.self)
                #expect(guess.modelVersion == 1)
            }
            var started: [Int?] = []
            for _ in 0..<10 { started.append(try await storeSeven(on: app).retrainingStarted) }
            #expect(started.compactMap { $0 } == [2])
            await (try model(of: app)).retrainer.waitUntilIdle()
            let second = try #require(try await ModelVersionRecord.query(on: app.db).filter(\.$version == 2).first())
            #expect(second.outcome == .promoted && second.isLive && !second.isTraining)
            // Its 8 training digits count if the model read them as 7; a correction from one
            // client waits for corroboration. MNIST's replayed digits taught it either way.
            let seven = try #require(try await DigitRecord.query(on: app.db).filter(\.$source == .person).first())
            #expect(seven.contributor != nil && seven.clientHash != nil)
            let replayed = min(TestDigits.trainingCount, RetrainingPolicy().replayAtLeast)
            #expect(second.trainedOn == replayed + (seven.guessedLabel == 7 ? 8 : 0))
        }
        // A restart reads what is stored: no second import, version 2 still live.
        try await withApp(settings: settings) { app in
            let stored = try await DigitRecord.query(on: app.db).count()
            #expect(stored == TestDigits.total + 10)
            try await app.testing().test(.GET, "api/model") { response in
                let status = try response.content.decode(ModelStatusResponse.self)
                #expect(status.live.version == 2)
                #expect(status.digitsUntilRetraining == 10)
            }
            try await app.testing().test(.GET, "api/digits") { response in
                #expect(response.status == .ok)
                let page = try response.content.decode(PersonDigitPage.self)
                #expect(page.total == 10)
            }
        }
    }

    @Test func twoServersOnOneDatabaseClaimOneRetraining() async throws {
        try await emptyDatabase()
        try await withApp(settings: settings) { app in
            try await claimFromTwoServers(on: app, settings: settings) { claimed in #expect(claimed == [2]) }
            let training = try await ModelVersionRecord.query(on: app.db).filter(\.$isTraining == true).count()
            #expect(training == 0)
        }
    }

    @Test func switchesFromTwoServersAtOnceLeaveOneLiveVersion() async throws {
        try await emptyDatabase()
        try await withApp(settings: settings) { app in try await severalSwitchesAtOnce(on: app) }
    }

    @Test func concurrentStoresHoldOutEveryFifth() async throws {
        try await emptyDatabase()
        try await withApp(settings: settings) { app in try await DigitsServerTests.concurrentStoresHoldOutEveryFifth(on: app) }
    }

    /// With the periodic checks a minute apart, only the notifications can bring the news
    /// within the 30 s each wait allows: ten digits stored on a web server wake the trainer,
    /// and its promotion reaches the web server. (How fast: the cluster test times it.)
    @Test func notificationsCarryWorkToTheTrainerAndTheNewVersionToTheWebServer() async throws {
        try await emptyDatabase()
        var trainer = settings
        trainer.role = .trainer
        trainer.checkEvery = .seconds(60)
        var web = trainer
        web.role = .web
        try await withApp(settings: trainer) { trainerApp in
            try await withApp(settings: web) { webApp in
                // The listeners connect at boot; give them a moment before the first notice.
                try await Task.sleep(for: .milliseconds(500))
                for _ in 0..<10 { _ = try await storeSeven(on: webApp) }
                let stored = Date()
                while try model(of: webApp).live.current()?.version != 2, Date().timeIntervalSince(stored) < 30 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try model(of: webApp).live.current()?.version == 2)
                let row = try #require(try await ModelVersionRecord.query(on: webApp.db).filter(\.$version == 2).first())
                #expect(row.trainer == (try model(of: trainerApp).serverID))
                // A rollback on the trainer reaches the web server the same way.
                _ = try await model(of: trainerApp).versions.rollBack(to: 1)
                let rolledBack = Date()
                while try model(of: webApp).live.current()?.version != 1, Date().timeIntervalSince(rolledBack) < 30 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try model(of: webApp).live.current()?.version == 1)
            }
        }
    }

    @Test func twoServersStartingTogetherImportOnceAndMakeOneFirstModel() async throws {
        try await emptyDatabase()
        try await startTogether(settings)
    }
}
