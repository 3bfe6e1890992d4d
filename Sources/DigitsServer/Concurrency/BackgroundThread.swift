import Foundation

/// Runs seconds of number crunching on a thread of its own.
///
/// Swift's cooperative pool has one thread per core, two here; a training run blocking one of
/// them would halve the threads left to answer requests. A thread of its own, at a lower
/// scheduling priority (nice 10 on Linux, where priority is per thread), lets the kernel hand
/// the cores to request handling first.
enum BackgroundThread {
    static func run<Result: Sendable>(named name: String, _ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                Platform.lowerThisThreadsPriority()
                continuation.resume(returning: work())
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
