import ArgumentParser
import Foundation
import NewsletterCore

/// Runs a command tree so that every failure is one line on stderr and a sysexits status:
/// our own errors carry their status, argument-parser's usage errors exit 64, and `--help`
/// and `--version` print as usual.
public enum CommandRunner {
    public static func main<Root: ParsableCommand>(_ root: Root.Type) -> Never {
        let name = root.configuration.commandName ?? "newsletter"
        do {
            var command = try root.parseAsRoot()
            try command.run()
            StandardOutput.shared.flush()
            exit(0)
        } catch {
            StandardOutput.shared.flush()
            fail(error, root: root, name: name)
        }
    }

    public static func main<Root: AsyncParsableCommand>(_ root: Root.Type) async -> Never {
        let name = root.configuration.commandName ?? "newsletter"
        do {
            var command = try root.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            StandardOutput.shared.flush()
            exit(0)
        } catch {
            StandardOutput.shared.flush()
            fail(error, root: root, name: name)
        }
    }

    private static func fail<Root: ParsableCommand>(_ error: any Error, root: Root.Type, name: String) -> Never {
        if let error = error as? NewsletterError {
            printError(name, error.message)
            exit(error.exitStatus.rawValue)
        }
        if let code = error as? ExitCode { exit(code.rawValue) }
        let code = root.exitCode(for: error)
        if code == .success { root.exit(withError: error) }
        let message = root.message(for: error)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid command line"
        printError(name, message.replacingOccurrences(of: "Error: ", with: "") + " (see '\(name) --help')")
        exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
    }

    public static func printError(_ name: String, _ message: String) {
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
    }
}
