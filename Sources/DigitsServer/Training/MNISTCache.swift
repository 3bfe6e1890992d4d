import Fluent
import NeuralNetwork

/// MNIST as this process trains on it: read from the database and prepared once per input,
/// by the first model or the first retraining, whichever asks first, and shared by both.
actor MNISTCache {
    private let database: any Database
    private var loading: (input: InputPreparation, task: Task<MNISTSets, any Error>)?

    init(database: any Database) {
        self.database = database
    }

    /// The sets prepared for `input`; one read at a time, and none again for the same input
    /// unless the last one failed.
    func sets(for input: InputPreparation) async throws -> MNISTSets {
        if let loading, loading.input == input {
            do { return try await loading.task.value } catch { self.loading = nil }
        }
        let database = database
        let task = Task { try await MNISTSets.load(input: input, on: database) }
        loading = (input, task)
        return try await task.value
    }
}
