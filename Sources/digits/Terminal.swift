import Foundation

/// Where the commands write: results to standard output, notes and progress to standard error,
/// so `digits predict … > guesses.txt` captures only the guesses.
enum Terminal {
    /// Whether standard error is a terminal, so a live progress bar can redraw in place.
    static let isInteractive = isatty(FileHandle.standardError.fileDescriptor) != 0

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Redraws the current line of standard error (terminals only).
    static func redraw(_ line: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    static func endRedrawing() {
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Numbers as people read them in a report.
enum Format {
    static func percent(_ fraction: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f%%", fraction * 100)
    }

    static func seconds(_ value: Double) -> String {
        value < 10
            ? String(format: "%.2f s", value)
            : value < 120 ? String(format: "%.0f s", value) : String(format: "%d min %02d s", Int(value) / 60, Int(value) % 60)
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
