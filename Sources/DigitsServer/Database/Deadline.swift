import Synchronization

/// Database work that did not finish in time: its connection was closed, nothing it wrote
/// was committed.
struct DatabaseStalled: Error, CustomStringConvertible {
    let seconds: Int
    var description: String { "the database did not answer within \(seconds) s; the connection was closed and nothing was committed" }
}

/// Runs `work`, and stops waiting for it after `limit`: then `onExpiry` runs (it closes the
/// connection `work` is stuck on) and `DatabaseStalled` is thrown. `work` itself is left to end
/// when its connection's failure reaches it, if ever; the caller goes on either way.
func waiting<T: Sendable>(
    atMost limit: Duration, onExpiry: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let waiter = Waiter<T>()
    return try await withCheckedThrowingContinuation { continuation in
        waiter.continuation.withLock { $0 = continuation }
        let timer = Task {
            try await Task.sleep(for: limit)
            guard let continuation = waiter.continuation.withLock({ $0.take() }) else { return }
            onExpiry()
            continuation.resume(throwing: DatabaseStalled(seconds: Int(limit.components.seconds)))
        }
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            timer.cancel()
            waiter.continuation.withLock { $0.take() }?.resume(with: result)
        }
    }
}

/// Whoever is first, the work or the timer, resumes the caller.
private final class Waiter<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
}
