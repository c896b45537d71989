"""Needs found in free text (a service note, a social post): each sentence is embedded with the offline MiniLM
model and compared with the category vocabulary in the graph; the best category per sentence is a candidate.

The score is the cosine similarity of the sentence to the category text (the category's description when the
graph or `graph.categories` has one, else its name), reported as `confidence`. One candidate per category: the
sentence that matches it best is the evidence.
"""

import re
import threading
from dataclasses import dataclass

import numpy as np

from graph.categories import CATEGORIES
from graph.settings import Settings
from models.text import embed

_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")
_MIN_CHARS = 8  # shorter fragments ("Hi.", "OK") carry no need
_lock = threading.Lock()
_vocab_cache: dict[tuple[tuple[str, str], ...], np.ndarray] = {}


@dataclass(frozen=True)
class FoundNeed:
    category: str
    confidence: float
    evidence: str
    start: int
    end: int


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) spans of `text`, offsets into the original string."""
    out = []
    for m in _SENTENCE.finditer(text):
        raw = m.group(0)
        stripped = raw.strip()
        if len(stripped) < _MIN_CHARS:
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        out.append((start, start + len(stripped), stripped))
    return out


def category_text(name: str, description: str | None) -> str:
    words = name.replace("_", " ")
    desc = description or CATEGORIES.get(name)
    return f"{words}: {desc}" if desc else words


def _vocabulary_matrix(vocab: tuple[tuple[str, str], ...], settings: Settings | None) -> np.ndarray:
    with _lock:
        hit = _vocab_cache.get(vocab)
    if hit is None:
        hit = embed([text for _, text in vocab], settings=settings)
        with _lock:
            _vocab_cache.clear()  # the vocabulary changes rarely; keep only the latest
            _vocab_cache[vocab] = hit
    return hit


def extract_needs(text: str, *, categories: dict[str, str | None], settings: Settings | None = None,
                  floor: float = 0.0) -> list[FoundNeed]:
    """Candidate needs in `text`, best first, with confidence ≥ `floor`; `categories` maps name → description."""
    spans = sentences(text)
    if not spans or not categories:
        return []
    vocab = tuple(sorted((name, category_text(name, desc)) for name, desc in categories.items()))
    names = [name for name, _ in vocab]
    sims = embed([s for _, _, s in spans], settings=settings) @ _vocabulary_matrix(vocab, settings).T
    best: dict[str, FoundNeed] = {}
    for i, (start, end, sentence) in enumerate(spans):
        j = int(np.argmax(sims[i]))
        score = float(np.clip(sims[i, j], 0.0, 1.0))
        if score < floor:
            continue
        found = FoundNeed(category=names[j], confidence=round(score, 4), evidence=sentence, start=start, end=end)
        if names[j] not in best or best[names[j]].confidence < found.confidence:
            best[names[j]] = found
    return sorted(best.values(), key=lambda f: -f.confidence)
