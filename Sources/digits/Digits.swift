import ArgumentParser

@main
struct Digits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "Recognise handwritten digits with Nielsen's network, trained on MNIST.",
        discussion: """
            MNIST is read from --data DIR or MNIST_DIR; without either it is downloaded once \
            into ~/.local/share/digits/mnist and verified against its published checksums.
            """,
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ServeCommand.self, ExportCommand.self, ImportCommand.self,
        ]
    )
}
