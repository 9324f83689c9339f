"""The two encoders: ONNX Runtime (the default) gives the vectors sentence-transformers gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config.errors import ConfigError
from config.settings import load_settings
from retrieval.embed import OnnxEmbedder, SentenceTransformerEmbedder, make_embedder

TEXTS = [
    "who do I ping about getting my kit trialled?",
    "The West Yorkshire Health and Care Partnership brings together the NHS, councils and the "
    "voluntary sector. " * 3,
    "ICS",
    "x " * 600,  # past the model's 256-token limit: both truncate the same way
    "",
]


def test_onnx_vectors_match_sentence_transformers(embedder):
    reference = SentenceTransformerEmbedder()
    expected = reference.embed(TEXTS)
    got = embedder.embed(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    cosines = (got * expected).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_batch_returns_vectors_in_the_order_given(embedder):
    """Texts are embedded sorted by length: each vector must still land at its own text's place."""
    together = embedder.embed(TEXTS[:4])
    alone = np.stack([embedder.embed([t])[0] for t in TEXTS[:4]])
    assert np.allclose(together, alone, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_the_model_is_exported_on_first_use_and_a_damaged_export_is_named(embedder, tmp_path: Path):
    fresh = OnnxEmbedder(cache_dir=tmp_path / "cache")
    assert not fresh.onnx_file.exists()
    fresh.warm_up()
    assert fresh.onnx_file.is_file() and fresh.onnx_file.parent == tmp_path / "cache"
    assert np.allclose(fresh.embed(TEXTS[:1]), embedder.embed(TEXTS[:1]), atol=1e-5)
    assert not list(fresh.onnx_file.parent.glob("*.part"))  # written whole, then renamed

    fresh.onnx_file.write_bytes(b"not a model")
    damaged = OnnxEmbedder(cache_dir=tmp_path / "cache")
    with pytest.raises(ConfigError, match="delete it and it is exported again"):
        damaged.warm_up()
    fresh.onnx_file.unlink()  # as the message says: the same embedder then exports it again
    damaged.warm_up()
    assert damaged.dimensions == 384 and damaged.embed(TEXTS[:1]).shape == (1, 384)


def test_a_changed_model_folder_gets_its_own_export(tmp_path: Path):
    folder = tmp_path / "model"
    shutil.copytree(OnnxEmbedder().model_path, folder)
    before = OnnxEmbedder(folder, tmp_path / "cache").onnx_file
    weights = next(folder.glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes() + b"\0")
    assert OnnxEmbedder(folder, tmp_path / "cache").onnx_file != before


def test_the_backend_is_chosen_by_setting_and_a_missing_folder_is_named(tmp_path: Path):
    assert isinstance(make_embedder(load_settings(data_dir=tmp_path)), OnnxEmbedder)
    torch = make_embedder(load_settings(data_dir=tmp_path, embedding_backend="torch"))
    assert isinstance(torch, SentenceTransformerEmbedder)
    with pytest.raises(ConfigError, match="does not exist"):
        make_embedder(load_settings(data_dir=tmp_path, embedding_model=str(tmp_path / "nowhere")))
    with pytest.raises(ConfigError):
        load_settings(data_dir=tmp_path, embedding_backend="tensorflow")


def test_answering_imports_neither_torch_nor_sentence_transformers(built_data_dir: Path, tmp_path: Path):
    """Issue 14: their imports were most of a fresh process's 8 s to its first answer."""
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "result = CliRunner().invoke(app, ['ask', 'who leads the healthtech strategy?'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    data = shutil.copytree(built_data_dir, tmp_path / "data")  # asking writes the question log
    env.update(PARTNERBOT_DATA_DIR=str(data), HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
