import ServiceLifecycle

/// The transport as a service of the daemon's `ServiceGroup`: it runs until graceful shutdown (or
/// cancellation), then closes its sockets and ends `inbound`, so that the core's loop reading it
/// ends too.
extension UDPTransport: Service {
    public func run() async {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled rather than asked to shut down gracefully: close all the same.
        }
        await close()
    }
}
