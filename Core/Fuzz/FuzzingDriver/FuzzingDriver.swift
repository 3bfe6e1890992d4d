import MNISTData

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What both fuzzers' `main` does. Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz) it
/// hands control to libFuzzer's driver, which mutates inputs and calls `body` with each;
/// in an ordinary build it calls `body` once with each file named on the command line, so a
/// finding can be replayed under a debugger.
///
/// SwiftPM renames an executable's `main` (so that tests can link it) and points the linker
/// at the new name, so libFuzzer's own `main` cannot be used: `LLVMFuzzerRunDriver` is its
/// documented way in for such programs.
public enum FuzzingDriver {
    public typealias Body = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ body: Body) -> Never {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, body))
        #else
            for path in CommandLine.arguments.dropFirst() {
                do {
                    let bytes = try BinaryFile.read(path)
                    _ = bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
                } catch {
                    print("\(path): \(error)")
                    exit(1)
                }
            }
            exit(0)
        #endif
    }
}

#if FUZZING
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ body: FuzzingDriver.Body
    ) -> CInt
#endif
