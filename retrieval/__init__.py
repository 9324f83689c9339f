"""Chunks to answers: embeddings, the vector and keyword indexes, fusion, the answer writers."""
