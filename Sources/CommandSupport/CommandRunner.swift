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
            try checkArguments()
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
            try checkArguments()
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

    /// Refuses arguments that are not UTF-8. Swift would read their bytes as U+FFFD, so a
    /// name or path given in another encoding would be stored or used as something else.
    static func checkArguments() throws {
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument))
            if String(validating: bytes, as: UTF8.self) == nil {
                throw NewsletterError.usage(
                    "argument \(index) (\(String(decoding: bytes, as: UTF8.self).quotedForDisplay)) is not UTF-8 text; "
                        + "set the terminal or the script to UTF-8 and give it again")
            }
        }
    }

    private static func fail<Root: ParsableCommand>(_ error: any Error, root: Root.Type, name: String) -> Never {
        if let (message, status) = ErrorStatus.of(error) {
            printError(name, message)
            exit(status.rawValue)
        }
        if let code = error as? ExitCode { exit(code.rawValue) }
        let code = root.exitCode(for: error)
        if code == .success { root.exit(withError: error) }
        // The parser's message is a line of its own and then help; an argument it quotes may
        // hold line breaks of its own, which are escaped first so the line stays whole.
        var full = root.message(for: error)
        for argument in CommandLine.arguments.dropFirst() where argument.hasLineBreakOrControl {
            full = full.replacingOccurrences(of: argument, with: argument.escapingControlCharacters)
        }
        let message = full.split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid command line"
        printError(name, message.replacingOccurrences(of: "Error: ", with: "") + " (see '\(name) --help')")
        exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
    }

    /// One line on stderr. Messages quote user input already; control characters that still
    /// reach here (in a path, in an argument echoed by the argument parser) are escaped, so
    /// no input can add a line or send escape sequences to the terminal.
    public static func printError(_ name: String, _ message: String) {
        FileHandle.standardError.write(Data("\(name): \(message.escapingControlCharacters)\n".utf8))
    }
}
