import NewsletterCore
import NewsletterDaemon

/// Chooses the delivery side for the configured transport.
enum DeliveryWiring {
    static func make(_ settings: Settings, _ store: Store) throws -> DeliveryControl {
        throw NewsletterError.config("delivery is not wired yet")
    }
}
