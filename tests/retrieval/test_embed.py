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


def test_the_export_is_named_by_the_weights_so_a_reinstall_shares_it_and_a_change_does_not(tmp_path: Path):
    """A reinstalled virtual environment (new path, new times) must not export and keep 90 MB again."""
    packaged = OnnxEmbedder(cache_dir=tmp_path / "cache").onnx_file
    folder = tmp_path / "model"
    shutil.copytree(OnnxEmbedder().model_path, folder)
    weights = next(folder.glob("*.safetensors"))
    os.utime(weights, ns=(0, 0))
    assert OnnxEmbedder(folder, tmp_path / "cache").onnx_file == packaged
    weights.write_bytes(weights.read_bytes() + b"\0")
    assert OnnxEmbedder(folder, tmp_path / "cache").onnx_file != packaged


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


PASSAGE = (
    "Nexus is the University of Leeds' innovation hub. It hosts health tech start-ups and offers "
    "lab space. The Yorkshire and Humber AHSN helps companies test products in the NHS."
)
SENTENCES = ["It hosts health tech start-ups and offers lab space.", "The Yorkshire and Humber AHSN helps"]


def _spans(text: str, parts: list[str]) -> list[tuple[int, int]]:
    return [(text.index(p), text.index(p) + len(p)) for p in parts]


def test_sentence_vectors_are_pooled_from_the_passage_pass_alike_in_both_backends(embedder):
    """Ingest embeds each passage once; its sentences' vectors come from that pass, in context."""
    reference = SentenceTransformerEmbedder()
    texts = [PASSAGE, TEXTS[1]]
    spans = [_spans(PASSAGE, SENTENCES), []]
    vectors, pooled = embedder.embed_with_spans(texts, spans)
    _, expected_pooled = reference.embed_with_spans(texts, spans)
    assert np.allclose(vectors, embedder.embed(texts), atol=1e-5), "the passages' own vectors are unchanged"
    assert [p.shape for p in pooled] == [(2, 384), (0, 384)]
    assert (pooled[0] * expected_pooled[0]).sum(axis=1).min() > 0.9999
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)
    alone = embedder.embed(SENTENCES)
    mine = alone @ pooled[0].T  # each pooled vector is nearer its own sentence than the other one
    assert mine[0, 0] > mine[1, 0] and mine[1, 1] > mine[0, 1], mine


def test_a_sentence_past_the_token_limit_is_embedded_alone(embedder):
    """The model reads 256 tokens of a passage; a sentence after them has no token vectors."""
    tail = "The Yorkshire and Humber AHSN helps companies test products in the NHS."
    text = "x " * 600 + tail
    _, pooled = embedder.embed_with_spans([text], [_spans(text, [tail, "x x"])])
    assert np.allclose(pooled[0][0], embedder.embed([tail])[0], atol=1e-5)
    assert np.linalg.norm(pooled[0][1]) == pytest.approx(1.0, abs=1e-5)
