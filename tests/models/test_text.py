"""The offline MiniLM embeddings: meaningful, normalised, cached on disk, and forgettable."""

import numpy as np

from models import text
from tests.models.tinybank import scratch_settings


def test_similar_texts_are_closer_than_unrelated_ones(settings, tmp_path):
    s = scratch_settings(settings, tmp_path)
    v = text.embed(["We need a builder to extend our warehouse",
                    "Construction contractor for building extensions and renovations",
                    "Cheap flights to Lisbon in summer"], settings=s)
    assert v.shape == (3, text.DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


def test_vectors_are_cached_by_hash_and_forgotten_per_owner(settings, tmp_path):
    s = scratch_settings(settings, tmp_path)
    note = "Canary Ltd wants payroll outsourcing"
    first = text.embed([note, ""], settings=s)
    assert not first[1].any(), "an empty text is a zero vector"
    files = list(text.cache_dir(s).rglob("*.npy"))
    assert len(files) == 1 and note.encode() not in files[0].read_bytes()
    assert np.array_equal(text.embed([note], settings=s)[0], first[0])

    text.remember_owners([("canary-42", note)], settings=s)
    assert text.forget_owner("canary-42", settings=s) == 1
    assert not list(text.cache_dir(s).rglob("*.npy"))
    for path in text.cache_dir(s).rglob("*"):
        if path.is_file():
            assert b"canary-42" not in path.read_bytes()
