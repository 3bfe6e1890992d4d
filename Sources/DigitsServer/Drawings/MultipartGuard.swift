/// Refuses, before MultipartKit parses it, a multipart body whose part headers would crash it.
///
/// MultipartKit 4.7.1 (the only version here) looks each byte of a header name up in a
/// 128-entry table, so a byte of 0x80 or more in a name is an out-of-bounds read that kills
/// the process: schemathesis found it with one request to `POST /api/guess`. This walks the
/// body the way its parser does — the first `--boundary`, then each part's header lines up to
/// the empty one, then the body up to the next `\r\n--boundary` — and refuses a name byte
/// outside ASCII. Header values (a UTF-8 file name, say) are not touched.
enum MultipartGuard {
    /// Whether `body` is safe to hand to MultipartKit with `boundary`.
    static func isSafe(_ body: some Collection<UInt8>, boundary: String) -> Bool {
        let bytes = Array(body)
        let delimiter = Array("--\(boundary)".utf8)
        let separator = [13, 10] + delimiter
        guard !delimiter.isEmpty, var position = find(delimiter, in: bytes, from: 0) else { return true }
        position += delimiter.count
        while position < bytes.count {
            // "--" closes the body; anything after it is an epilogue the parser ignores.
            if bytes[position] == 45, position + 1 < bytes.count, bytes[position + 1] == 45 { return true }
            guard let bodyStart = headersEnd(bytes, from: position) else { return false }
            guard let next = find(separator, in: bytes, from: bodyStart) else { return true }
            position = next + separator.count
        }
        return true
    }

    /// Where a part's headers end (after the empty line), or nil when a header name holds a
    /// byte outside ASCII.
    private static func headersEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        // The CRLF after the delimiter.
        if index + 1 < bytes.count, bytes[index] == 13, bytes[index + 1] == 10 { index += 2 }
        var inName = true
        var nameIsEmpty = true
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inName {
                if byte == 58, !nameIsEmpty {  // ":"
                    inName = false
                } else if byte == 13 {  // CR: an empty name ends the headers
                    if nameIsEmpty { return index + 1 }
                } else if byte >= 0x80 {
                    return nil
                } else {
                    nameIsEmpty = false
                }
            } else if byte == 13 {  // the value's CR, then LF: the next name starts after it
                index += 1
                inName = true
                nameIsEmpty = true
            }
        }
        return index
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
