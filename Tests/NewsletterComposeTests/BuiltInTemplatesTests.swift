import Foundation
import NewsletterCore
import NewsletterTestSupport
import Testing

@testable import NewsletterCompose

/// The templates built into the binary, and which templates a config without
/// `templates.dir` uses.
@Suite("Built-in and default templates")
struct BuiltInTemplatesTests {
    @Test("built-in templates match config/templates (run scripts/embed-templates.py after editing them)")
    func matchShipped() throws {
        let root = RepositoryPaths.templates
        var shipped: [String: String] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        for case let name as String in walker {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            shipped[name] = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
        }
        #expect(!shipped.isEmpty)
        #expect(Set(BuiltInTemplates.files.keys) == Set(shipped.keys))
        for (name, text) in shipped {
            #expect(BuiltInTemplates.files[name] == text, "\(name) differs from its built-in copy")
        }
    }

    @Test("the built-in email and page templates load")
    func builtInLoads() throws {
        let templates = try TemplateSet.load(source: .builtIn)
        #expect(templates.source == .builtIn)
        #expect(templates.subject(.confirm, ["site": ["name": "Peak District Carers"]]).contains("Peak District Carers"))
        let pages = try PageTemplates.load(source: .builtIn)
        #expect(pages.folder == "built-in web")
    }

    @Test("without templates.dir: the folder beside the config, else the installed ones, else built-in")
    func resolveOrder() throws {
        let dir = TemporaryDirectory("template-source")
        let beside = dir.path("etc/templates")
        let prefix = dir.path("usr")
        let executable = prefix + "/bin/newsletterd"
        let installed = prefix + "/share/carers-newsletter/templates"
        #expect(TemplateSource.installedFolder(forExecutable: executable) == installed)
        #expect(TemplateSource.installedFolder(forExecutable: "/work/main/.build/debug/newsletterd") == nil)

        let unset = TemplateSettings(dir: nil, besideConfig: beside)
        #expect(TemplateSource.resolve(unset, executable: executable) == .builtIn)
        #expect(TemplateSource.resolve(unset, executable: nil) == .builtIn)
        try FileManager.default.createDirectory(atPath: installed, withIntermediateDirectories: true)
        #expect(TemplateSource.resolve(unset, executable: executable) == .folder(installed))
        try FileManager.default.createDirectory(atPath: beside, withIntermediateDirectories: true)
        #expect(TemplateSource.resolve(unset, executable: executable) == .folder(beside))
        // A folder set in the config is used (and checked) even where it does not exist.
        #expect(TemplateSource.resolve(TemplateSettings(dir: "/nowhere", besideConfig: beside), executable: executable) == .folder("/nowhere"))
        #expect(throws: NewsletterError.self) { try TemplateSet.load(source: .folder("/nowhere")) }
    }
}
