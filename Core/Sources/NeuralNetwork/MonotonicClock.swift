/// Seconds from the system's monotonic clock, for timing epochs (and benchmarks) without Foundation.
public enum MonotonicClock {
    /// A moment on the monotonic clock.
    public struct Instant: Sendable {
        let nanoseconds: UInt64
    }

    public static func now() -> Instant {
        Instant(nanoseconds: Platform.monotonicNanoseconds())
    }

    public static func seconds(since start: Instant) -> Double {
        Double(Platform.monotonicNanoseconds() &- start.nanoseconds) * 1e-9
    }
}
