import Glibc

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

/// The shared MNIST folder: MNIST_DIR, else ../shared/data/mnist beside the repository.
func sharedMNISTDirectory() -> String? {
    if let value = getenv("MNIST_DIR") { return String(cString: value) }
    let here = #filePath.split(separator: "/").dropLast(4).joined(separator: "/")
    for candidate in ["/" + here + "/../shared/data/mnist", "/" + here + "/../../shared/data/mnist"] {
        if access(candidate + "/train-images-idx3-ubyte.gz", R_OK) == 0 { return candidate }
    }
    return nil
}
