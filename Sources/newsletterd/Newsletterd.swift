import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Logging
import NewsletterCore

@main
struct Newsletterd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletterd",
        abstract: "The carers newsletter daemon: watches the site, composes digests and sends them.",
        version: NewsletterVersion.current)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do the work that is due now, then exit.")
    var once = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    static func main() {
        CommandRunner.main(self)
    }

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, level: level) }
        let logger = Logger(label: "newsletterd")
        let (settings, store) = try global.open()
        logger.info("database ready", metadata: ["config": "\(settings.file)", "database": "\(store.path)"])
        if once { return }

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        stop.wait()
        sources.forEach { $0.cancel() }
        logger.info("stopping")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
