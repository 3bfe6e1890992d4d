/// The few parts of the tar format (POSIX ustar) an export of people's digits needs: regular
/// files under short names, written and read back. Every tool that reads tar reads these.
enum TarArchive {
    static let blockSize = 512
    /// The largest file a ustar header's 11 octal digits can hold.
    static let maxFileSize = (1 << 33) - 1

    /// The header block of a regular file `name` (at most 100 bytes) of `size` bytes. The
    /// time is 0 (1970), so that the same digits always export to the same bytes.
    static func header(name: String, size: Int) -> [UInt8] {
        precondition(name.utf8.count <= 100 && (0...maxFileSize).contains(size), "a tar entry \(name) of \(size) bytes")
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)  // mode
        put(octal(0, width: 8), at: 108)  // uid
        put(octal(0, width: 8), at: 116)  // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)  // mtime
        put("        ", at: 148)  // the checksum field counts as spaces while summing
        block[156] = UInt8(ascii: "0")  // a regular file
        put("ustar", at: 257)
        put("00", at: 263)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148)
        block[155] = UInt8(ascii: " ")
        return block
    }

    /// Zeros that take a file of `size` bytes to the end of its last block.
    static func padding(after size: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: (blockSize - size % blockSize) % blockSize)
    }

    /// Two zero blocks: the end of the archive.
    static let end = [UInt8](repeating: 0, count: 2 * blockSize)

    /// The regular files in `bytes`, by name, checking each header's checksum and size.
    static func files(in bytes: [UInt8]) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var offset = 0
        while offset + blockSize <= bytes.count {
            let block = Array(bytes[offset..<(offset + blockSize)])
            if block.allSatisfy({ $0 == 0 }) { return files }
            let name = String(decoding: block[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            guard let size = number(block[124..<136]), let stored = number(block[148..<156]) else {
                throw ExchangeError("the tar archive's header at byte \(offset) is damaged (is it a tar file?)")
            }
            var summed = block
            for index in 148..<156 { summed[index] = UInt8(ascii: " ") }
            guard summed.reduce(0, { $0 + Int($1) }) == stored else {
                throw ExchangeError("the tar archive's header at byte \(offset) fails its checksum (the file is damaged)")
            }
            let start = offset + blockSize
            guard size <= bytes.count - start else {
                throw ExchangeError("the tar archive is cut short: \(name) announces \(size) bytes, \(bytes.count - start) follow")
            }
            // Regular files only ("0" or, from old tars, NUL); folders and the rest are skipped.
            if block[156] == UInt8(ascii: "0") || block[156] == 0 { files[name] = Array(bytes[start..<(start + size)]) }
            offset = start + size + padding(after: size).count
        }
        if offset == bytes.count, !files.isEmpty { return files }
        throw ExchangeError("the tar archive is cut short (it has no end blocks)")
    }

    /// An octal field: digits, ended by NUL or space.
    private static func number(_ field: ArraySlice<UInt8>) -> Int? {
        let text = String(
            decoding: field.drop { $0 == UInt8(ascii: " ") }.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }, as: UTF8.self)
        return text.isEmpty ? nil : Int(text, radix: 8)
    }
}

/// What is wrong with a file to import, or an export that could not be made, in a sentence.
public struct ExchangeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
