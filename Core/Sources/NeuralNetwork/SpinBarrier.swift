import Synchronization

/// A reusable barrier for a few threads that meet thousands of times a second.
///
/// A mini-batch takes microseconds, too short to sleep and wake through the kernel at each
/// meeting, so waiters spin; after a while they yield the core, so a machine with other work
/// on it does not starve the thread being waited for. The last thread to arrive releases the
/// others, and everything any thread wrote before `wait()` is visible to all after it.
final class SpinBarrier: Sendable {
    let parties: Int
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    init(parties: Int) {
        precondition(parties >= 1, "a barrier needs at least one party, got \(parties)")
        self.parties = parties
    }

    func wait() {
        guard parties > 1 else { return }
        let current = generation.load(ordering: .acquiring)
        if arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == parties {
            arrived.store(0, ordering: .relaxed)
            generation.wrappingAdd(1, ordering: .releasing)
            return
        }
        var spins = 0
        while generation.load(ordering: .acquiring) == current {
            spins += 1
            if spins > 100_000 { Platform.yieldProcessor() }
        }
    }
}
