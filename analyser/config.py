"""Settings (limits, paths) and the model registry in models/registry.toml."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyser.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"


class Limits(BaseModel):
    """Bounds that protect a batch from one huge or hostile file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_mb: float = Field(default=100.0, gt=0, description="largest input file accepted")
    max_pages: int = Field(default=1500, gt=0, description="most PDF pages read from one file")
    max_chars: int = Field(default=5_000_000, gt=0, description="most characters kept from one file")
    # Reading runs in a child process (analyser.sandbox) that is stopped at these bounds.
    timeout_s: float = Field(default=120.0, gt=0, description="longest time reading one file may take")
    max_memory_mb: int = Field(default=2048, gt=0, description="most extra memory reading one file may use")
    isolate: bool = Field(default=True, description="read each file in a bounded child process")


class Settings(BaseModel):
    """Run-time settings; defaults suit a 2-core laptop."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    limits: Limits = Limits()
    models_dir: Path = REPO_ROOT / "models"
    # 400/0 measured best by benchmarks/retrieval_recall.py: small chunks let retrieval send only the
    # clauses that matter (60% of the characters at 0.97 recall, against 76% at 1200/150).
    chunk_size: int = Field(default=400, gt=200, description="target characters per chunk")
    chunk_overlap: int = Field(default=0, ge=0)
    threads: int = Field(default_factory=lambda: os.cpu_count() or 2, gt=0)


def load_settings() -> Settings:
    """Build Settings from defaults and ANALYSER_* environment variables."""
    limits: dict[str, object] = {}
    for key in ("max_file_mb", "max_pages", "max_chars", "timeout_s", "max_memory_mb", "isolate"):
        value = os.environ.get(f"ANALYSER_{key.upper()}")
        if value:
            limits[key] = value
    values: dict[str, object] = {"limits": limits}
    if os.environ.get("ANALYSER_MODELS_DIR"):
        values["models_dir"] = Path(os.environ["ANALYSER_MODELS_DIR"])
    if os.environ.get("ANALYSER_THREADS"):
        values["threads"] = os.environ["ANALYSER_THREADS"]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(f"Invalid ANALYSER_* environment setting: {_first_error(exc)}") from exc


class ModelEntry(BaseModel):
    """One known GGUF model: what it is, where it comes from and how to check it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    file: str
    size: int | None = None
    sha256: str = ""
    licence: str
    context_length: int = Field(gt=0)
    chat_format: str = "chatml"
    source: str
    description: str = ""
    languages: tuple[str, ...] = ()
    parts_package: str = ""
    parts: int = 0
    default: bool = False


class Registry(BaseModel):
    """The model registry file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: tuple[ModelEntry, ...]

    def find(self, model_id: str) -> ModelEntry | None:
        """Return the entry with this id, or None."""
        return next((m for m in self.model if m.id == model_id), None)

    def find_file(self, file_name: str) -> ModelEntry | None:
        """Return the entry whose GGUF file has this name, or None."""
        return next((m for m in self.model if m.file == file_name), None)


def load_registry(path: Path) -> Registry:
    """Read and validate models/registry.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Model registry not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Model registry {path} is not valid TOML: {exc}") from exc
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"Model registry {path} is invalid: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    """Name the first invalid field and why, in one line."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{where}: {err['msg']}"
