"""One module per CLI command, each with a register(app) function."""
