#if canImport(Glibc)
    import Glibc
#endif

/// A thread that runs one closure, and is joined when the work is done.
///
/// A plain POSIX thread rather than a task: the training loop blocks on a spin barrier, which
/// must never happen on Swift's cooperative thread pool.
struct WorkerThread {
    private let thread: pthread_t

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread.
    init(_ body: @escaping () -> Void) {
        var thread = pthread_t()
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { context in
                let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                job.body()
                return nil
            }, job)
        precondition(status == 0, "pthread_create failed with \(status)")
        self.thread = thread
    }

    /// Waits for the thread to finish.
    func join() {
        pthread_join(thread, nil)
    }

    /// The number of processors online, for choosing how many threads to use.
    static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
