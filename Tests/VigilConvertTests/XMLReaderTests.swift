import Testing
import VigilConvert
import VigilFuzzKit

@Suite("XMLReader: a strict reader for CIBs")
struct XMLReaderTests {
    @Test("elements, attributes, entities, character references, comments, CDATA and lines")
    func reads() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <a x="1 &lt; 2 &amp;&quot;&apos;&#65;&#x42;" y='single'>
              <b/><![CDATA[<not an element>]]>
              <c z="&gt;">text &amp; more<?pi ignored?></c>
            </a>
            """
        let root = try XMLReader.parse(text, file: "t.xml")
        #expect(root.name == "a" && root.line == 3)
        #expect(root["x"] == "1 < 2 &\"'AB" && root["y"] == "single")
        #expect(root.children.map(\.name) == ["b", "c"] && root.children.map(\.line) == [4, 5])
        #expect(root.child("c")?["z"] == ">")
    }

    @Test("malformed documents are errors with their line", arguments: [
        ("<a><b></a>", "does not close <b>"), ("<a x=1/>", "not quoted"), ("<a x=\"1\" x=\"2\"/>", "twice"),
        ("<a/><b/>", "after the root"), ("", "no root"), ("<a><!-- x -- y --></a>", "'--'"),
        ("<!DOCTYPE a><a/>", "DTD"), ("<a>&unknown;</a>", "unknown entity"), ("<a x=\"<\"/>", "'<'"),
        ("<a>&#0;</a>", "unknown entity"), ("<a", "expected"),
    ])
    func malformed(text: String, message: String) {
        #expect {
            try XMLReader.parse(text, file: "t.xml")
        } throws: { error in
            (error as? ConversionError)?.message.contains(message) ?? false
        }
    }

    @Test("nesting past the limit is an error, not a stack overflow")
    func deep() {
        let depth = XMLReader.deepestNesting + 1
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(throws: ConversionError.self) { try XMLReader.parse(text, file: "t.xml") }
    }

    @Test("every truncation of a CIB is an error, never a trap; random mutations never trap")
    func truncationsAndMutations() throws {
        let bytes = Array(PacemakerTests.cib.utf8)
        var errors = 0
        for cut in stride(from: 0, to: bytes.count - 2, by: 7) {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            do {
                _ = try XMLReader.parse(text, file: "t.xml")
            } catch {
                errors += 1
            }
        }
        #expect(errors == (bytes.count - 2 + 6) / 7)
        var outcomes = (converted: 0, refused: 0)
        for index in 0..<3000 {
            var random = FuzzRandom(seed: 14, stream: "cib", index: UInt64(index))
            let mutated = TextMutator.mutate(PacemakerTests.cib, random: &random)
            do {
                _ = try PacemakerMapping.convert(ConversionInput(file: "cib.xml", text: mutated))
                outcomes.converted += 1
            } catch {
                outcomes.refused += 1
            }
        }
        #expect(outcomes.converted > 0 && outcomes.refused > 0)
    }

    @Test("mutated keepalived.conf files convert or give an error, never trap")
    func keepalivedMutations() throws {
        var outcomes = (converted: 0, refused: 0)
        for index in 0..<3000 {
            var random = FuzzRandom(seed: 14, stream: "keepalived", index: UInt64(index))
            let mutated = TextMutator.mutate(KeepalivedTests.alpha, random: &random)
            do {
                _ = try KeepalivedMapping.convert(
                    [ConversionInput(file: "a.conf", text: mutated), ConversionInput(file: "b.conf", text: KeepalivedTests.beta)])
                outcomes.converted += 1
            } catch {
                outcomes.refused += 1
            }
        }
        #expect(outcomes.converted > 0 && outcomes.refused > 0)
    }
}
