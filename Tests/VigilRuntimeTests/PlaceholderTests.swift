import Testing
@testable import VigilRuntime

@Suite struct RuntimePlaceholderTests {
    @Test func runtimeLinks() { #expect(Bool(true)) }
}
