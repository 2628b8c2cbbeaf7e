// Built with -parse-as-library: libFuzzer provides main() and calls the entry point below
// for every input. The properties are the same ones the seeded tests check (FuzzTarget).
import Foundation
import NewsletterFuzzSupport

/// The target named by $FUZZ_TARGET, read once.
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("newsletter-fuzz: set FUZZ_TARGET to one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = selected.check(Array(UnsafeBufferPointer(start: data, count: size)))
    guard problems.isEmpty else {
        // A broken property is a finding: libFuzzer saves the input when the process aborts.
        let text = problems.map { "property broken: \($0)" }.joined(separator: "\n")
        FileHandle.standardError.write(Data("\(text)\n".utf8))
        abort()
    }
    return 0
}

// SwiftPM links an executable with main defined as `<module>_main` (so that tests can link
// the module), which -parse-as-library leaves undefined. Defining it to run libFuzzer's own
// driver gives libFuzzer's usual command line.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("newsletter_fuzz_main")
public func newsletterFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOne)
}
