#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import NeuralNetwork

/// The benchmark's few options.
struct BenchmarkArguments {
    var epochs = 5
    var threads: Int?
    var skipsNumpy = false
    var measuresContention = true
    var mnistDirectory: String?
    var numpyScript: String?

    init(_ arguments: ArraySlice<String>) {
        var remaining = Array(arguments)
        while !remaining.isEmpty {
            let argument = remaining.removeFirst()
            switch argument {
            case "--epochs": epochs = max(1, Int(remaining.isEmpty ? "" : remaining.removeFirst()) ?? 5)
            case "--skip-numpy": skipsNumpy = true
            case "--idle-only": measuresContention = false
            case "--threads": threads = Int(remaining.isEmpty ? "" : remaining.removeFirst())
            default:
                fail("unknown argument \(argument); use --epochs N, --threads 1|2, --idle-only or --skip-numpy")
            }
        }
        let shared = ["../shared", "../../shared"].first { access($0 + "/bench/numpy_ref.py", R_OK) == 0 }.map(absolute)
        if let value = getenv("MNIST_DIR") {
            mnistDirectory = absolute(String(cString: value))
        } else if let shared {
            mnistDirectory = shared + "/data/mnist"
        }
        numpyScript = shared.map { $0 + "/bench/numpy_ref.py" }
    }
}

/// `path` made absolute, since the numpy baseline runs in another folder.
func absolute(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// Prints `message` to standard error and exits with status 1.
func fail(_ message: String) -> Never {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

/// Wall-clock time from the monotonic clock.
struct Stopwatch {
    private let start = MonotonicClock.now()

    var seconds: Double { MonotonicClock.seconds(since: start) }
}

/// Processors online.
var onlineCores: Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }

enum Report {
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }
}

enum SystemInfo {
    static var processorDescription: String {
        "\(onlineCores) cores online"
    }
}

/// Runs the numpy baseline in a child process and returns its median seconds per epoch.
enum NumpyBaseline {
    static func run(script: String, epochs: Int, mnistDirectory: String) -> Double? {
        // OPENBLAS_CORETYPE slows a current numpy; unset it for this command alone.
        let command =
            "cd \"$(dirname '\(script)')\" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE MNIST_DIR='\(mnistDirectory)' python3 numpy_ref.py --epochs \(epochs) --no-eval 2>&1"
        guard let pipe = popen(command, "r") else { return nil }
        var seconds: [Double] = []
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), pipe) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            print("numpy> " + text, terminator: "")
            // "epoch N train X s"
            let words = text.split(separator: " ")
            if words.count >= 4, words[0] == "epoch", words[2] == "train", let value = Double(words[3]) {
                seconds.append(value)
            }
        }
        pclose(pipe)
        // The first epoch warms numpy up, as the first Swift epoch is dropped above.
        let timed = Array(seconds.dropFirst())
        return timed.isEmpty ? nil : Report.median(timed)
    }
}

/// A process of our own that keeps one core busy for as long as a contended run lasts: this
/// program again, with --burn, pinned to the last processor.
struct CPUBurner {
    let pid: pid_t

    static func start() -> CPUBurner {
        var pid = pid_t()
        let arguments = ["TrainingBenchmark", "--burn"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, "/proc/self/exe", nil, nil, &argv, environ)
        guard status == 0 else { fail("could not start the CPU-bound process (posix_spawn: \(status))") }
        usleep(200_000)  // let it take its core
        return CPUBurner(pid: pid)
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// The burner itself: pin to the last processor, then spin until killed.
    static func burn() -> Never {
        // A cpu_set_t: 1,024 bits, one per processor.
        var set = [UInt64](repeating: 0, count: 16)
        let last = max(0, onlineCores - 1)
        set[last / 64] |= 1 << UInt64(last % 64)
        _ = set.withUnsafeBytes { setAffinity(0, $0.count, $0.baseAddress!) }
        var counter: UInt64 = 0
        while true {
            counter &+= 1
            if counter == 0 { print("") }  // never: keeps the loop from being optimised away
        }
    }
}

/// glibc's sched_setaffinity, which its headers show Swift only under _GNU_SOURCE.
@_silgen_name("sched_setaffinity")
func setAffinity(_ pid: pid_t, _ size: Int, _ mask: UnsafeRawPointer) -> Int32
