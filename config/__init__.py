"""Settings and the default configuration files."""
