"""The fitted local model on disk: saved after every fit, loaded at start-up, versioned for roll-back.

Layout, beside the case store (`<qdrant path>/models/<collection>/`)::

    20261130T061500Z-3f2a9c1d.pkl.z    the state (a zlib-compressed pickle: scikit-learn models, the n-gram
                                       vocabulary, ...)
    20261130T061500Z-3f2a9c1d.json     its header: format, versions, settings key, memory, sha256 of the state
    CURRENT                            the version in use (one line); replaced atomically

A pickle rather than skops: the state holds our own dataclasses next to scikit-learn estimators, which skops
would only load after listing every type as trusted, and the files are written by this service into its
own data directory (the same trust as the case store beside them). The standard library's C pickler rather
than joblib's: joblib pickles in pure Python to special-case large numpy arrays, which this state hardly has
(its bulk is n-gram vocabularies), and on two cores it took 0.8 s to save and 1.7 s to load a 76-case model
that the C pickler with zlib level 1 saves in 0.25 s and loads in 0.1 s; every fit saves, every start
loads. What protects a load is the header, read first without unpickling anything: a different format,
classifier version, settings key or scikit-learn version, or a state whose SHA-256 does not match, is
refused and the model is refitted (never used half-compatible). Several processes may share the
directory: every file is written under a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sklearn

from triage.domain.cases import Case

__all__ = ["FORMAT", "STATE_SUFFIX", "MemorySignature", "ModelHeader", "ModelRepository", "memory_signature"]

log = logging.getLogger(__name__)

# bump when the layout of the saved state changes (2: zlib-compressed pickle, was joblib; 3: the critical
# detector's heads are `LinearHead`s, not SGDClassifiers: a model saved before is refitted once)
FORMAT = 3
STATE_SUFFIX = ".pkl.z"
CURRENT = "CURRENT"
PINNED = "PINNED"  # present after `triage model use`: the service keeps that version and does not refit
KEEP = 5  # versions kept for roll-back (the current one is never removed)


_MODULUS = 1 << 256


@dataclass(frozen=True)
class MemorySignature:
    """Which memory a model was fitted on: its size and a digest of every case's id and labels.

    The digest is the sum of the cases' SHA-256 digests modulo 2^256 (a multiset hash): independent of order
    (the store returns cases in any order), and a case added changes it by that case's digest alone, so an
    incremental update extends it without reading the whole memory (`plus`)."""

    cases: int
    digest: str

    def plus(self, cases: list[Case]) -> MemorySignature:
        """The signature of this memory with `cases` (not already in it) added."""
        return MemorySignature(cases=self.cases + len(cases),
                               digest=f"{(int(self.digest, 16) + _digest_sum(cases)) % _MODULUS:064x}")

    def minus(self, cases: list[Case]) -> MemorySignature:
        """The signature of this memory without `cases` (each of them in it)."""
        return MemorySignature(cases=self.cases - len(cases),
                               digest=f"{(int(self.digest, 16) - _digest_sum(cases)) % _MODULUS:064x}")


def _case_key(c: Case) -> bytes:
    # `also` and `unknown` only when a case has some: a case without keeps the key it had before they existed
    return (f"{c.id}\x1f{c.category}\x1f{c.risk}\x1f{c.queue or ''}\x1f"
            f"{json.dumps(c.extra, sort_keys=True, default=str)}"
            + (f"\x1f{','.join(sorted(c.also))}" if c.also else "")
            + (f"\x1funknown:{','.join(sorted(c.unknown))}" if c.unknown else "")).encode()


def _digest_sum(cases: list[Case]) -> int:
    return sum(int.from_bytes(hashlib.sha256(_case_key(c)).digest(), "big") for c in cases) % _MODULUS


def memory_signature(cases: list[Case]) -> MemorySignature:
    """Order-independent: the store may return cases in any order."""
    return MemorySignature(cases=len(cases), digest=f"{_digest_sum(cases):064x}")


@dataclass(frozen=True)
class ModelHeader:
    """What is checked before a state is loaded (and what `triage model list` shows)."""

    version: str
    format: int
    classifier: str
    settings_key: str
    sklearn: str
    memory: MemorySignature
    sha256: str
    fitted_at: str
    trained_on: int  # cases the heads were fitted on (a bounded sample of the memory)
    seconds: float  # how long the fit took
    # the case store's name for the content it was fitted on (`CaseStore.content_token`); None: not known
    store_token: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelHeader:
        data = dict(data)
        data["memory"] = MemorySignature(**data["memory"])
        return cls(**data)


def _write_atomically(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ModelRepository:
    """Versions of the fitted state in one directory; see the module docstring."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def save(self, state: object, *, classifier: str, settings_key: str, memory: MemorySignature,
             trained_on: int, seconds: float, store_token: str | None = None) -> ModelHeader:
        """Write a new version and make it current."""
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        version = f"{now:%Y%m%dT%H%M%S%f}Z-{memory.digest[:8]}"
        blob = self.directory / f"{version}{STATE_SUFFIX}"
        data = zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)
        _write_atomically(blob, lambda tmp: tmp.write_bytes(data))
        header = ModelHeader(version=version, format=FORMAT, classifier=classifier, settings_key=settings_key,
                             sklearn=sklearn.__version__, memory=memory, sha256=_sha256(blob),
                             fitted_at=now.isoformat(), trained_on=trained_on, seconds=round(seconds, 2),
                             store_token=store_token)
        _write_atomically(self.directory / f"{version}.json",
                          lambda tmp: tmp.write_text(json.dumps(asdict(header), indent=2)))
        self.use(version, pin=False)
        self._prune()
        return header

    def use(self, version: str, *, pin: bool = True) -> ModelHeader:
        """Make `version` current (roll back or forward). Pinned (the default, for `triage model use`), the
        service keeps it instead of refitting when the memory changes, until the next `triage model train`.
        Raises FileNotFoundError for an unknown version."""
        header = self.header(version)
        if pin:
            _write_atomically(self.directory / PINNED, lambda tmp: tmp.write_text(version + "\n"))
        else:
            (self.directory / PINNED).unlink(missing_ok=True)
        _write_atomically(self.directory / CURRENT, lambda tmp: tmp.write_text(version + "\n"))
        return header

    @property
    def pinned(self) -> bool:
        return (self.directory / PINNED).exists()

    def current(self) -> str | None:
        try:
            return (self.directory / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def header(self, version: str) -> ModelHeader:
        path = self.directory / f"{version}.json"
        if "/" in version or not path.exists():
            raise FileNotFoundError(f"no model version {version!r} in {self.directory}")
        return ModelHeader.from_json(json.loads(path.read_text()))

    def versions(self) -> list[ModelHeader]:
        """Every saved version, oldest first."""
        if not self.directory.exists():
            return []
        out = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                out.append(ModelHeader.from_json(json.loads(path.read_text())))
            except (ValueError, TypeError, KeyError):
                log.warning("ignoring an unreadable model header %s", path)
        return out

    def load(self, *, classifier: str, settings_key: str) -> tuple[ModelHeader, Any] | None:
        """The current state, if it is compatible with this code and these settings; None otherwise."""
        version = self.current()
        if version is None:
            return None
        try:
            header = self.header(version)
        except (FileNotFoundError, ValueError, TypeError, KeyError) as exc:
            log.warning("the current model %s cannot be read (%s); refitting", version, exc)
            return None
        problems = [what for what, ok in (
            (f"format {header.format} != {FORMAT}", header.format == FORMAT),
            (f"classifier {header.classifier} != {classifier}", header.classifier == classifier),
            ("other classifier settings", header.settings_key == settings_key),
            (f"scikit-learn {header.sklearn} != {sklearn.__version__}", header.sklearn == sklearn.__version__),
        ) if not ok]
        blob = self.directory / f"{version}{STATE_SUFFIX}"
        if not problems and (not blob.exists() or _sha256(blob) != header.sha256):
            problems.append("the state file is missing or does not match its checksum")
        if problems:
            log.warning("not loading the saved model %s: %s; refitting", version, "; ".join(problems))
            return None
        # only after the header and the checksum matched: a file this service wrote (see the module docstring)
        return header, pickle.loads(zlib.decompress(blob.read_bytes()))  # noqa: S301

    def _prune(self) -> None:
        current = self.current()
        old = [h.version for h in self.versions() if h.version != current]
        # versions sort by their time stamp: the oldest go first
        for version in old[:max(0, len(old) - (KEEP - 1))]:
            for suffix in (STATE_SUFFIX, ".joblib", ".json"):  # .joblib: format 1
                (self.directory / f"{version}{suffix}").unlink(missing_ok=True)
