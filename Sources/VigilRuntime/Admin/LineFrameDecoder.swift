import NIOCore

/// Splits a byte stream into lines at `\n` (the newline is dropped), refusing a line longer than
/// `maxLength` bytes so that a peer cannot make us buffer without bound.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLength: Int
    /// How many bytes from the reader index are known to hold no newline: each read is searched
    /// once, so a long line costs its length, not its length times the number of reads.
    private var searched = 0

    init(maxLength: Int) {
        self.maxLength = maxLength
    }

    /// A peer sent a line longer than the limit.
    struct LineTooLong: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "request line longer than \(limit) bytes" }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let index = view[(view.startIndex + searched)...].firstIndex(of: UInt8(ascii: "\n")) else {
            searched = view.count
            if buffer.readableBytes > maxLength { throw LineTooLong(limit: maxLength) }
            return .needMoreData
        }
        searched = 0
        let length = index - buffer.readerIndex
        if length > maxLength { throw LineTooLong(limit: maxLength) }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    /// A last line without its newline still counts.
    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0, let line = buffer.readSlice(length: buffer.readableBytes) {
            context.fireChannelRead(Self.wrapInboundOut(line))
        }
        return .needMoreData
    }
}
