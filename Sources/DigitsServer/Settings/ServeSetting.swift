import Foundation

/// One setting of `digits serve`, said once: its flag, environment variable, default, what it
/// accepts and what it does to the server's settings. The command's options take their help
/// from here, `ServeSetting.settings` reads every one the same way (the flag, else the
/// environment, else the default), and a test holds docs/api.md's table to this list.
public struct ServeSetting: Sendable {
    /// The flag's name without dashes, as ArgumentParser derives it from the property.
    public let flag: String
    public let environment: String
    /// The value used when neither the flag nor the environment gives one; nil leaves the
    /// server's setting as it is.
    public let fallback: String?
    /// The default as help and the docs say it.
    public let shownDefault: String
    public let valueName: String
    public let help: String
    /// Whether the flag repeats (and the environment variable is comma-separated).
    public var repeats = false
    /// Sets the server's setting from the values given; throws a `SettingError` in words.
    let apply: @Sendable (inout ServerSettings, [String]) throws -> Void

    /// The help text: what it does, and where its default comes from.
    public var helpText: String {
        "\(help) (default: \(repeats ? "\(environment), comma-separated" : environment), else \(shownDefault))."
    }

    /// Every setting from the flags `given` (by flag name), else the environment, else the
    /// defaults; a value out of bounds is a `SettingError` in words.
    public static func settings(given: [String: [String]], environment: [String: String]) throws -> ServerSettings {
        var settings = ServerSettings()
        for setting in all {
            let values = setting.values(flag: given[setting.flag] ?? [], environment: environment)
            if !values.isEmpty { try setting.apply(&settings, values) }
        }
        return settings
    }

    /// The settings as docs/api.md tabulates them (a test holds the page to it).
    public static var markdownTable: String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        let rows = all.map { setting in
            let value =
                setting.valueName.isEmpty
                ? "" : " " + (setting.valueName.contains("|") ? setting.valueName : setting.valueName.uppercased())
            let flag = setting.valueName.isEmpty ? "`--\(setting.flag)`, `--no-\(setting.flag)`" : "`--\(setting.flag)\(value)`"
            let variable = "`\(setting.environment)`" + (setting.repeats ? " (comma-separated)" : "")
            return "| \(cell(flag)) | \(variable) | \(cell(setting.shownDefault)) | \(cell(setting.help)) |"
        }
        return (["| flag | environment | default | what it does |", "|---|---|---|---|"] + rows).joined(separator: "\n")
    }

    /// What the flag gave, else the environment, else the fallback.
    func values(flag given: [String], environment: [String: String]) -> [String] {
        if !given.isEmpty { return given }
        if let text = environment[self.environment] {
            return repeats ? ServeSetting.list(text) : [text]
        }
        return fallback.map { [$0] } ?? []
    }

    /// A comma-separated list, blanks dropped.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A whole number in `allowed`, else `problem` in words.
    static func number(_ text: String, in allowed: ClosedRange<Int>, _ problem: String) throws -> Int {
        guard let value = Int(text), allowed.contains(value) else { throw SettingError("\(problem), got \(text)") }
        return value
    }

    /// One of `choices`, else the flag's error in words.
    static func choice(_ text: String, of choices: [String], flag: String) throws -> String {
        guard choices.contains(text) else {
            throw SettingError("--\(flag) must be \(choices.dropLast().joined(separator: ", ")) or \(choices.last!), got \(text)")
        }
        return text
    }
}

/// A setting's value that is not one it accepts, in words.
public struct SettingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
