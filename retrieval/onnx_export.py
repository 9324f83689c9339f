"""Export a sentence-transformers model folder to ONNX, once, on this machine (no download).

The exported graph takes token ids and returns the model's normalised sentence embedding (its own
pooling modules included), so the ONNX Runtime encoder gives the vectors torch gives, and the token
vectors behind it, from which ingest pools each sentence's vector. Only this module imports torch:
answering and ingesting load the exported file with onnxruntime.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from config.errors import ConfigError

log = logging.getLogger(__name__)
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUTS = ("embedding", "tokens")  # part of the exported file's name: a file without tokens is exported again


def export(model_path: Path, target: Path) -> Path:
    """Write `target` (atomically: a crash leaves no half file) and return it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True).eval()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot load the embedding model from {model_path}: {exc}") from exc

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            out = self.model(dict(zip(INPUTS, tokens, strict=True)))
            embedding = torch.nn.functional.normalize(out["sentence_embedding"], p=2, dim=1)
            return embedding, out["token_embeddings"]

    sample = model.tokenizer(["an example", "a second, longer example"], padding=True, return_tensors="pt")
    if "token_type_ids" not in sample:
        raise ConfigError(f"{model_path}: only BERT-style models (with token type ids) can be exported")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the exported model in {target.parent} ({exc}): set PARTNERBOT_MODEL_CACHE_DIR"
        ) from exc
    partial = target.with_suffix(f".{os.getpid()}.part")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's notes on tracing BERT: noise here
        torch.onnx.export(
            Pooled(),
            tuple(sample[name] for name in INPUTS),
            str(partial),
            input_names=list(INPUTS),
            output_names=list(OUTPUTS),
            dynamic_axes={**axes, "embedding": {0: "batch"}, "tokens": {0: "batch", 1: "tokens"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and handles BERT well
        )
    partial.replace(target)
    log.info("exported %s to %s", model_path, target)
    return target


if __name__ == "__main__":  # scripts/setup and the Docker build: export now, not on first use
    from config.settings import load_settings
    from retrieval.embed import OnnxEmbedder

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = load_settings()
    embedder = OnnxEmbedder(settings.embedding_model, settings.model_cache_dir)
    embedder.warm_up()
    print(f"ONNX encoder ready: {embedder.onnx_file}")
