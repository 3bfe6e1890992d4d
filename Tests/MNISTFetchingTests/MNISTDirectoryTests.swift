import Foundation
import MNISTData
import Testing

@testable import MNISTFetching

@Suite struct MNISTDirectoryTests {
    @Test func theFlagWinsThenTheEnvironmentThenTheUsersDataFolder() {
        let environment = ["MNIST_DIR": "/env/mnist", "HOME": "/home/ada"]
        #expect(MNISTDirectory.resolve(flag: "/flag", environment: environment) == MNISTDirectory(path: "/flag", isExplicit: true))
        #expect(MNISTDirectory.resolve(flag: nil, environment: environment) == MNISTDirectory(path: "/env/mnist", isExplicit: true))
        #expect(
            MNISTDirectory.resolve(flag: nil, environment: ["HOME": "/home/ada"])
                == MNISTDirectory(path: "/home/ada/.local/share/digits/mnist", isExplicit: false))
        #expect(
            MNISTDirectory.resolve(flag: nil, environment: ["HOME": "/home/ada", "XDG_DATA_HOME": "/data"])
                == MNISTDirectory(path: "/data/digits/mnist", isExplicit: false))
    }
}
