import Foundation

/// Every setting of `digits serve`, in the order help and the docs list them.
extension ServeSetting {
    public static let all: [ServeSetting] = [
        database, hostname, port, model, adminToken, adminTokenFile, retrainEvery, storesPerMinute, role, trainingLease, hidden,
        deskew, corroborations, trustedAfter, crowd, export, trustedProxy, corsOrigin,
    ]

    public static let database = ServeSetting(
        flag: "database", environment: "DATABASE_URL", fallback: "digits.sqlite", shownDefault: "digits.sqlite",
        valueName: "path-or-url", help: "A SQLite file, or a PostgreSQL URL postgres://USER:PASSWORD@HOST:5432/DATABASE"
    ) { settings, values in
        do {
            settings.database = try DatabaseLocation(parsing: values[0])
        } catch {
            throw SettingError("\(error)")
        }
    }

    public static let hostname = ServeSetting(
        flag: "hostname", environment: "DIGITS_HOSTNAME", fallback: "127.0.0.1", shownDefault: "127.0.0.1", valueName: "address",
        help: "The address to listen on"
    ) { settings, values in settings.hostname = values[0] }

    public static let port = ServeSetting(
        flag: "port", environment: "DIGITS_PORT", fallback: "8080", shownDefault: "8080", valueName: "port", help: "The port to listen on"
    ) { settings, values in
        settings.port = try number(values[0], in: 1...65535, "the port must be a number from 1 to 65535")
    }

    public static let model = ServeSetting(
        flag: "model", environment: "DIGITS_MODEL", fallback: nil, shownDefault: "trained on MNIST", valueName: "file",
        help: "A model file to start with instead of training one"
    ) { settings, values in settings.modelFile = values.first }

    public static let adminToken = ServeSetting(
        flag: "admin-token", environment: "DIGITS_ADMIN_TOKEN", fallback: nil, shownDefault: "the one in --admin-token-file",
        valueName: "token", help: "The token admin actions need. Prefer the environment: flags show in ps"
    ) { settings, values in settings.adminToken = values.first }

    public static let adminTokenFile = ServeSetting(
        flag: "admin-token-file", environment: "DIGITS_ADMIN_TOKEN_FILE", fallback: "digits-admin-token",
        shownDefault: "digits-admin-token", valueName: "file",
        help: "Without a configured token, the file that keeps a random one, readable by this user only"
    ) { settings, values in settings.adminTokenFile = values[0] }

    public static let retrainEvery = ServeSetting(
        flag: "retrain-every", environment: "DIGITS_RETRAIN_EVERY", fallback: "10", shownDefault: "10", valueName: "digits",
        help: "Retrain after this many new verified digits"
    ) { settings, values in
        settings.retraining.every = try number(
            values[0], in: 1...Int(Int32.max), "retraining needs at least 1 new digit (--retrain-every)")
    }

    public static let storesPerMinute = ServeSetting(
        flag: "stores-per-minute", environment: "DIGITS_STORES_PER_MINUTE", fallback: "60", shownDefault: "60", valueName: "digits",
        help: "How many digits one client may store per minute, across every server on the database; 0 for no limit"
    ) { settings, values in
        let limit = try number(values[0], in: 0...Int(Int32.max), "--stores-per-minute must be 0 (no limit) or more")
        settings.storesPerMinute = limit == 0 ? nil : limit
    }

    public static let role = ServeSetting(
        flag: "role", environment: "DIGITS_ROLE", fallback: "all", shownDefault: "all", valueName: "all|web|trainer",
        help:
            "all: answer requests and train (one process is all of Digits); web: answer requests, never train; trainer: train and promote for the web servers on the same database"
    ) { settings, values in
        settings.role = ServerRole(rawValue: try choice(values[0], of: ServerRole.allCases.map(\.rawValue), flag: "role"))!
    }

    public static let trainingLease = ServeSetting(
        flag: "training-lease", environment: "DIGITS_TRAINING_LEASE", fallback: "10", shownDefault: "10", valueName: "seconds",
        help:
            "Seconds a trainer's claim on a retraining lasts unless renewed: how long a killed trainer holds up the work before another takes it over"
    ) { settings, values in
        settings.retraining.leaseSeconds = Double(
            try number(values[0], in: 1...3600, "--training-lease must be a number of seconds from 1 to 3600"))
    }

    public static let hidden = ServeSetting(
        flag: "hidden", environment: "DIGITS_HIDDEN", fallback: "30", shownDefault: "one layer of 30, the book's", valueName: "neurons",
        help:
            "Neurons in the hidden layer of the networks the server trains; repeat for more layers. A live model of another shape is replaced by a retraining from scratch",
        repeats: true
    ) { settings, values in
        let layers = try values.map { try number($0, in: 1...4096, "--hidden must be between 1 and 4096 neurons") }
        settings.networkSizes = [784] + layers + [10]
    }

    public static let deskew = ServeSetting(
        flag: "deskew", environment: "DIGITS_DESKEW", fallback: "1", shownDefault: "on; --no-deskew or DIGITS_DESKEW=0 turns it off",
        valueName: "", help: "Deskew every digit before the network reads it"
    ) { settings, values in
        settings.input = ["0", "false"].contains(values[0].lowercased()) ? .centred : .deskewed
    }

    public static let corroborations = ServeSetting(
        flag: "corroborations", environment: "DIGITS_CORROBORATIONS", fallback: "3", shownDefault: "3", valueName: "addresses",
        help:
            "A label that contradicts the model's guess is learned once people on this many other addresses made the same correction; 0 learns every correction at once, for a server only trusted people use"
    ) { settings, values in
        settings.retraining.learningGuard.corroboratingAddresses = try number(
            values[0], in: 0...1_000, "--corroborations must be a number of addresses from 0 to 1000")
    }

    public static let trustedAfter = ServeSetting(
        flag: "trusted-after", environment: "DIGITS_TRUSTED_AFTER", fallback: "5", shownDefault: "5", valueName: "digits",
        help:
            "A contributor's corrections count once this many of their digits, and half of them or more, agree with what the model read; 0 trusts everyone"
    ) { settings, values in
        settings.retraining.learningGuard.trustedAfter = try number(
            values[0], in: 0...1_000, "--trusted-after must be a number of digits from 0 to 1000")
    }

    public static let crowd = ServeSetting(
        flag: "crowd", environment: "DIGITS_CROWD", fallback: "3", shownDefault: "3", valueName: "contributors",
        help:
            "A new version taught a correction by this many new contributors (fewer than 200 established people's digits since they came), more than established ones made it, waits for an admin's review; 0 never holds one"
    ) { settings, values in
        settings.retraining.crowdCheck.givers = try number(
            values[0], in: 0...1_000, "--crowd must be a number of contributors from 0 to 1000")
    }

    public static let export = ServeSetting(
        flag: "export", environment: "DIGITS_EXPORT", fallback: "admin", shownDefault: "admin", valueName: "admin|anyone",
        help: "Who may export people's digits (GET /api/digits/export): admin (with the token) or anyone"
    ) { settings, values in
        settings.exportsOpenToAnyone = try choice(values[0], of: ["admin", "anyone"], flag: "export") == "anyone"
    }

    public static let trustedProxy = ServeSetting(
        flag: "trusted-proxy", environment: "DIGITS_TRUSTED_PROXIES", fallback: nil, shownDefault: "none", valueName: "address",
        help:
            "A reverse proxy (address, or network as 10.0.0.0/8) whose X-Forwarded-For / Forwarded headers name the client; repeat for more. From anyone else those headers are ignored",
        repeats: true
    ) { settings, values in
        for proxy in values where !TrustedProxies.isValid(proxy) {
            throw SettingError("--trusted-proxy takes an IP address or a network such as 10.0.0.0/8 or fd00::/8, got \(proxy)")
        }
        settings.trustedProxies = values
    }

    public static let corsOrigin = ServeSetting(
        flag: "cors-origin", environment: "DIGITS_CORS_ORIGINS", fallback: nil, shownDefault: "none", valueName: "origin",
        help: "An origin allowed to call the API from a browser (CORS); repeat for more, * for any", repeats: true
    ) { settings, values in settings.corsOrigins = values }
}
