import FuzzingDriver
import NeuralNetwork

/// A fuzzer over the model-file parser (`ModelFile.decode`: JSON, then network2's layout,
/// then the sizes checked against the arrays). A malformed file must come back as a
/// `ModelFileError`; a trap, a memory error or a hang is a finding. `scripts/fuzz model` runs it.
@main struct FuzzModelFile {
    static func main() {
        FuzzingDriver.run { data, size in
            _ = try? ModelFile.decode(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
            return 0
        }
    }
}
