/// The release this build belongs to; `--version` prints it.
public enum NewsletterVersion {
    public static let current = "0.1.0"
}
