// The one file of the server that imports the C library: thread priorities and the admin
// token's owner-only file.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the server takes from the operating system beyond Foundation, each wrapped once.
enum Platform {
    /// Nice 10 for the calling thread, so that the kernel hands the cores to request handling
    /// first. Linux keeps nice values per thread (`who` 0 is the calling thread); elsewhere
    /// they are per process, and this does nothing.
    static func lowerThisThreadsPriority() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    /// Creates `path` readable and writable by this user only, from the first moment (never
    /// readable by others, even for a moment), and writes `text` into it; nil when done, else
    /// the system's reason and whether the file could not be made at all.
    static func createOwnerOnlyFile(_ path: String, containing text: String) -> (reason: String, created: Bool)? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return (String(cString: strerror(errno)), false) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { return (String(cString: strerror(errno)), true) }
        return nil
    }
}
