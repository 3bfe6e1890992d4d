import Foundation  // the C library (Glibc or Darwin) with it

/// A fresh folder under /tmp for one test, with helpers to write files into it.
struct TemporaryFolder {
    let path: String

    init() {
        var template = Array("/tmp/digits-mnist-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        let file = fopen(path + "/" + name, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
}

/// The shared MNIST folder from MNIST_DIR (scripts/test sets it to ../shared/data/mnist).
func sharedMNISTDirectory() -> String? {
    getenv("MNIST_DIR").map { String(cString: $0) }
}
