// The one file of this module that imports the C library: exp, log, cos and sin for
// the mathematics, the monotonic clock, and POSIX threads for training. Everything else in the
// module is the standard library.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the module takes from the operating system, each wrapped once.
enum Platform {
    /// e^x in single precision, for σ.
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }

    /// The natural logarithm, for the cross-entropy cost and the Box-Muller transform.
    @inline(__always) static func naturalLog(_ x: Double) -> Double { log(x) }

    @inline(__always) static func cosine(_ x: Double) -> Double { cos(x) }

    @inline(__always) static func sine(_ x: Double) -> Double { sin(x) }

    /// Nanoseconds on the monotonic clock, from an arbitrary start.
    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Lets another thread run on this core (a spinning wait does, now and then).
    static func yieldProcessor() {
        sched_yield()
    }

    /// The number of processors online, for choosing how many threads to use.
    static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// A POSIX thread running `body`; `join` waits for it. A plain thread rather than a
    /// task: the training loop blocks on a spin barrier, which must never happen on Swift's
    /// cooperative thread pool.
    struct Thread {
        #if canImport(Darwin)
            private let handle: pthread_t?
        #else
            private let handle: pthread_t
        #endif

        private final class Job {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }

        init(_ body: @escaping () -> Void) {
            #if canImport(Darwin)
                var handle: pthread_t?
            #else
                var handle = pthread_t()
            #endif
            let job = Unmanaged.passRetained(Job(body)).toOpaque()
            let status = pthread_create(
                &handle, nil,
                { context in
                    let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                    job.body()
                    return nil
                }, job)
            precondition(status == 0, "pthread_create failed with \(status)")
            self.handle = handle
        }

        func join() {
            #if canImport(Darwin)
                if let handle { pthread_join(handle, nil) }
            #else
                pthread_join(handle, nil)
            #endif
        }
    }
}
