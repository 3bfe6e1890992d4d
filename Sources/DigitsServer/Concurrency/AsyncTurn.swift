/// Runs pieces of work one at a time, each after every piece asked for before it and before
/// any asked for after it, whether it succeeds or throws.
actor AsyncTurn {
    private var last: Task<Void, Never>?

    func run<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let previous = last
        let step = Task {
            await previous?.value
            return try await work()
        }
        last = Task { _ = await step.result }
        return try await step.value
    }
}
