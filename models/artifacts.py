"""A model is a folder `artifacts/<version>/` (config, state_dict, id map, metrics, data snapshot); `current.json`
names the promoted one and is replaced atomically, so a reader sees the old version or the new, never half.
"""

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from graph.settings import Settings
from models import ModelError
from models import text as text_model

FILES = ("config.json", "model.pt", "id_map.json", "metrics.json", "snapshot.json")
CURRENT = "current.json"


@dataclass
class Artifact:
    version: str
    path: Path
    config: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    id_map: dict[str, Any]
    metrics: dict[str, Any]
    snapshot: dict[str, Any]


def new_version() -> str:
    """Sortable by time, unique across processes: `20261204T223700.123Z-3fa1`."""
    now = time.time()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now * 1000) % 1000:03d}Z-{secrets.token_hex(2)}"


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def save(settings: Settings, *, version: str, state_dict: dict[str, torch.Tensor], config: dict, id_map: dict,
         metrics: dict, snapshot: dict) -> Path:
    """Write the folder under a temporary name, then rename it into place (a half-written model is never seen)."""
    root = settings.artifacts_dir
    root.mkdir(parents=True, exist_ok=True)
    final = root / version
    if final.exists():
        raise ModelError(f"artifact {version} already exists")
    tmp = root / f".tmp-{version}"
    tmp.mkdir()
    torch.save(state_dict, tmp / "model.pt")
    for name, data in (("config.json", config), ("id_map.json", id_map), ("metrics.json", metrics),
                       ("snapshot.json", snapshot)):
        _write_json(tmp / name, data)
    os.replace(tmp, final)
    return final


def versions(settings: Settings) -> list[str]:
    root = settings.artifacts_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and all((p / f).is_file() for f in FILES))


def current_version(settings: Settings) -> str | None:
    """The promoted version (one small file read: cheap enough to call on every request for hot swap)."""
    try:
        data = json.loads((settings.artifacts_dir / CURRENT).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    version = data.get("version")
    return version if isinstance(version, str) else None


def promote(settings: Settings, version: str) -> None:
    folder = settings.artifacts_dir / version
    if not all((folder / f).is_file() for f in FILES):
        raise ModelError(f"no complete artifact {version!r} in {settings.artifacts_dir}")
    _write_json(settings.artifacts_dir / CURRENT,
                {"version": version, "promoted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


def load(settings: Settings, version: str) -> Artifact:
    folder = settings.artifacts_dir / version
    if not all((folder / f).is_file() for f in FILES):
        raise ModelError(f"no complete artifact {version!r} in {settings.artifacts_dir}")

    def read(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    state = torch.load(folder / "model.pt", map_location="cpu", weights_only=True)
    return Artifact(version, folder, read("config.json"), state, read("id_map.json"), read("metrics.json"),
                    read("snapshot.json"))


def scrub_customer(settings: Settings, customer_id: str) -> int:
    """Remove an erased customer from every artifact's id map and from the text-embedding cache.

    The weights hold no per-customer rows (the model is inductive), so the id maps and the cached vectors of
    the customer's own texts are the only traces. Returns how many files were changed or removed.
    """
    changed = 0
    for version in versions(settings):
        path = settings.artifacts_dir / version / "id_map.json"
        id_map = json.loads(path.read_text(encoding="utf-8"))
        customers: list[str] = id_map.get("customer", [])
        if customer_id not in customers:
            continue
        gone = customers.index(customer_id)
        id_map["customer"] = [c for c in customers if c != customer_id]
        for kind in ("need", "capability"):
            owners = id_map.get("owners", {}).get(kind, [])
            ids = id_map.get(kind, [])
            keep = [i for i, o in enumerate(owners) if o != gone]
            id_map[kind] = [ids[i] for i in keep]
            id_map.setdefault("owners", {})[kind] = [owners[i] - (owners[i] > gone) for i in keep]
        _write_json(path, id_map)
        changed += 1
    changed += text_model.forget_owner(customer_id, settings=settings)
    return changed


def prune(settings: Settings, *, keep: int = 5) -> list[str]:
    """Delete all but the newest `keep` versions (never the current one)."""
    current = current_version(settings)
    old = [v for v in versions(settings)[:-keep] if v != current] if keep > 0 else []
    for v in old:
        shutil.rmtree(settings.artifacts_dir / v, ignore_errors=True)
    return old
