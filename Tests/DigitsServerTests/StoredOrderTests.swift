import Foundation
import Testing

@testable import DigitsServer

/// The creation times `DigitStore.insertInOrder` gives rows, which order digits on PostgreSQL.
struct StoredOrderTests {
    /// What PostgresNIO sends for a Date: whole microseconds since 2000, truncated.
    func postgresMicroseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince(DigitStore.postgresEpoch) * 1_000_000) }

    /// Every row a microsecond of its own, one after the other, whatever fraction of a
    /// microsecond the import started at (starts near a microsecond's edge put neighbours into
    /// one microsecond before).
    @Test(arguments: [0.0, 0.000_000_05, 0.000_000_5, 0.000_000_95, 0.000_000_999, 0.123_456_7])
    func eachRowGetsTheNextMicrosecond(fraction: Double) {
        let start = Date(timeIntervalSince1970: 1_796_000_000 + fraction)
        let first = DigitStore.wholeMicroseconds(start)
        var previous = Int64(first) - 1
        for index in 0..<5_000 {
            let time = DigitStore.time(ofMicrosecond: first + Double(index))
            let sent = postgresMicroseconds(time)
            #expect(sent == previous + 1, "row \(index)")
            #expect(Int64((time.timeIntervalSince(DigitStore.postgresEpoch) * 1_000_000).rounded()) == sent, "rounding agrees")
            previous = sent
        }
        // The next import starts where this one ended, not inside it.
        let next = DigitStore.time(ofMicrosecond: first + 5_000)
        #expect(DigitStore.wholeMicroseconds(next) == first + 5_000)
    }
}
