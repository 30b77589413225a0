import Foundation
import Testing
import VigilModel
@testable import VigilRuntime

/// What `vigil sync` carries besides the configuration: the files it names under the files
/// directory, read with their mode and digest, refused when missing or too large, written back only
/// where they differ, and never outside the directory or with a content that does not match.
@Suite struct ConfigBundleTests {
    static func config(start: String) -> ClusterConfig {
        var config = ClusterConfig(name: "c", id: 1)
        config.applications = [Application(name: "web", start: start, stop: "pkill web")]
        return config
    }

    @Test func theNamedScriptsUnderTheDirectoryTravelAndAreWrittenBackWhereTheyDiffer() throws {
        let dir = TemporaryDirectory("bundle")
        let script = dir.file("web.start")
        try "#!/bin/sh\necho one\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o750)
        let config = Self.config(start: "\(script) --fast")
        let bundle = try ConfigBundle.gather(configuration: "text", config: config, directory: dir.path)
        #expect(bundle.files.map(\.path) == [script])
        #expect(bundle.files.first?.mode == 0o750)
        #expect(bundle.files.first?.digest == FileDigest.describe(script))

        // Through the synchronised text and back.
        let read = ConfigBundle(reading: bundle.text)
        #expect(read == bundle)
        #expect(read.problem(under: dir.path) == nil)
        #expect(try read.write() == [], "the same content is not written again")

        try "#!/bin/sh\necho drifted\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)
        #expect(try read.write() == [script])
        #expect(try String(contentsOfFile: script, encoding: .utf8) == "#!/bin/sh\necho one\n")
        var info = stat()
        stat(script, &info)
        #expect(info.st_mode & 0o7777 == 0o750)
    }

    @Test func aBareConfigurationIsReadAsOneWithoutFiles() {
        let bare = ConfigBundle(reading: "cluster: {name: c, id: 1}\n")
        #expect(bare.configuration == "cluster: {name: c, id: 1}\n" && bare.files.isEmpty)
        #expect(ConfigBundle(configuration: "x: 1\n", files: []).text == "x: 1\n")
    }

    @Test func aMissingOrLargeNamedFileRefusesTheSync() throws {
        let dir = TemporaryDirectory("bundle")
        #expect {
            try ConfigBundle.gather(configuration: "", config: Self.config(start: dir.file("gone")), directory: dir.path)
        } throws: { "\($0)".contains("does not exist on this node") }
        let big = dir.file("big")
        try Data(count: ConfigBundle.largestFile + 1).write(to: URL(fileURLWithPath: big))
        #expect {
            try ConfigBundle.gather(configuration: "", config: Self.config(start: big), directory: dir.path)
        } throws: { "\($0)".contains("at most 256 KiB") }
        // Files outside the directory are not carried (they are compared by verify --cluster).
        let outside = try ConfigBundle.gather(
            configuration: "", config: Self.config(start: "/bin/sh -c true"), directory: dir.path)
        #expect(outside.files.isEmpty)
    }

    @Test func aReceivedFileOutsideTheDirectoryOrNotMatchingItsDigestIsRefused() {
        let content = Data("x".utf8)
        func bundle(_ path: String, digest: String? = nil) -> ConfigBundle {
            ConfigBundle(
                configuration: "", files: [
                    .init(path: path, mode: 0o755, digest: digest ?? FileDigest.sha256(content),
                          content: content.base64EncodedString())
                ])
        }
        #expect(bundle("/etc/vigil/a").problem(under: "/etc/vigil") == nil)
        #expect(bundle("/etc/passwd").problem(under: "/etc/vigil")?.contains("not under /etc/vigil") == true)
        #expect(bundle("/etc/vigil/../passwd").problem(under: "/etc/vigil") != nil)
        #expect(bundle("/etc/vigilant/a").problem(under: "/etc/vigil") != nil)
        #expect(bundle("/etc/vigil/a", digest: "sha256:00").problem(under: "/etc/vigil")?.contains("digest") == true)
    }
}
