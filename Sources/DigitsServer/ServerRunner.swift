import CAllocatorTuning
import Vapor

/// Runs the server until it is stopped (Ctrl-C or SIGTERM): what `digits serve` calls.
public func runServer(settings: ServerSettings) async throws {
    // Each guess decodes a drawing into buffers of a few hundred kilobytes. glibc serves
    // blocks over 128 KB with a fresh mmap and returns them with munmap, so every guess paid
    // for page faults on memory it had just given back: a third of the server's time under
    // load. Keeping such blocks on the heap reuses them from one request to the next.
    if digits_keep_large_allocations_on_heap() == 0 {
        Logger(label: "digits").debug("the C library's allocator could not be tuned")
    }
    var environment = Environment(name: "production", arguments: ["digits"])
    try LoggingSystem.bootstrap(from: &environment)
    let app = try await Application.make(environment)
    // Start-up progress (the import, the first training) is logged at info level, which
    // production hides by default; LOG_LEVEL still chooses when set.
    if Environment.get("LOG_LEVEL") == nil { app.logger.logLevel = .info }
    do {
        try await configure(app, settings: settings)
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

