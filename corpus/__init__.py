"""Files to chunks: loading, manifest metadata, cleaning, chunking."""
