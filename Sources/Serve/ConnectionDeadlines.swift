import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// How long a connection may hold the server without getting on with its request.
struct ConnectionTimeouts: Sendable {
    /// From a request's first byte to the end of its head.
    var header: TimeAmount
    /// From the end of a request's head to the end of its body.
    var body: TimeAmount
    /// With no request under way: after the connection opens, and after each answer (keep-alive).
    var idle: TimeAmount
}

/// Closes a connection that misses a deadline of `ConnectionTimeouts`, and one whose request asks for it
/// (HTTP/1.0 without keep-alive, `Connection: close`) once that request is answered. It watches decoded
/// request parts and the answers written back; `FirstByteWatcher`, ahead of the HTTP decoder, tells it
/// when a request's first byte arrives. While an answer is being computed no deadline runs.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Reading { case nothing, head, body }

    private let timeouts: ConnectionTimeouts
    private var context: ChannelHandlerContext?
    private var reading = Reading.nothing
    /// Requests whose head has arrived and whose answer has not ended.
    private var unanswered = 0
    private var closeWhenAnswered = false
    private var deadline: Scheduled<Void>?

    init(_ timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        schedule(timeouts.idle)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    /// Bytes came in, before decoding: when no request was under way, a new one begins.
    func bytesArrived() {
        guard reading == .nothing else { return }
        reading = .head
        schedule(timeouts.header)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            reading = .body
            unanswered += 1
            if !head.isKeepAlive { closeWhenAnswered = true }
            schedule(timeouts.body)
        case .body:
            break
        case .end:
            reading = .nothing
            schedule(nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where closeWhenAnswered:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            unanswered -= 1
            guard unanswered == 0 else { return context.write(data, promise: promise) }
            if closeWhenAnswered {
                let written = promise ?? context.eventLoop.makePromise()
                context.writeAndFlush(data, promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            if reading == .nothing { schedule(timeouts.idle) }
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    /// Replaces the running deadline with one `timeout` from now (none for nil); at the deadline the
    /// connection closes.
    private func schedule(_ timeout: TimeAmount?) {
        deadline?.cancel()
        deadline = nil
        guard let timeout, let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, let context = self.context else { return }
            context.close(promise: nil)
        }
    }
}

/// First in the pipeline: tells `ConnectionDeadlines` when bytes arrive, so that a request head sent
/// slowly is timed from its first byte, and an idle connection from its last answer.
final class FirstByteWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadlines: ConnectionDeadlines

    init(_ deadlines: ConnectionDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlines.bytesArrived()
        context.fireChannelRead(data)
    }
}

/// Hummingbird's HTTP/1.1 channel with `ConnectionDeadlines` in its pipeline.
struct DeadlineHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let timeouts: ConnectionTimeouts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadlines = ConnectionDeadlines(timeouts)
        do {
            try channel.pipeline.syncOperations.addHandler(FirstByteWatcher(deadlines), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return HTTP1Channel(responder: responder).setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(deadlines, position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 whose connections keep `timeouts`.
    static func http1(timeouts: ConnectionTimeouts) -> HTTPServerBuilder {
        .init { responder in DeadlineHTTP1Channel(responder: responder, timeouts: timeouts) }
    }
}
