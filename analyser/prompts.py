"""Load, version and render the prompt templates in prompts/<task>/v<N>.yaml."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

import yaml

from analyser.config import REPO_ROOT
from analyser.errors import ConfigError

PROMPTS_DIR = REPO_ROOT / "prompts"
_VERSION_FILE = re.compile(r"^v(\d+)\.yaml$")


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """One versioned prompt file."""

    id: str
    version: int
    description: str
    system: str
    user: str
    sha8: str

    @property
    def ref(self) -> str:
        """The reference recorded with every fact, e.g. "law@v1#1a2b3c4d"."""
        return f"{self.id}@v{self.version}#{self.sha8}"

    def render(self, **values: str) -> str:
        """Fill the user template; a missing placeholder is an error, not an empty string."""
        try:
            return Template(self.user).substitute(values)
        except KeyError as exc:
            raise ConfigError(f"Prompt {self.ref} needs the value {exc}.") from exc


def available(task: str, prompts_dir: Path = PROMPTS_DIR) -> list[int]:
    """The published versions of a task's prompt, ascending."""
    folder = prompts_dir / task
    found = [int(m.group(1)) for p in folder.glob("v*.yaml") if (m := _VERSION_FILE.match(p.name))]
    return sorted(found)


@lru_cache(maxsize=64)
def load(task: str, version: int | None = None, prompts_dir: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load a task's prompt (the newest version unless one is given)."""
    versions = available(task, prompts_dir)
    if not versions:
        raise ConfigError(f"No prompt files for task '{task}' in {prompts_dir}.")
    chosen = version if version is not None else versions[-1]
    path = prompts_dir / task / f"v{chosen}.yaml"
    try:
        raw = path.read_bytes()
        data = yaml.safe_load(raw)
    except FileNotFoundError as exc:
        raise ConfigError(f"Prompt '{task}' has no version {chosen} (have {versions}).") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Prompt file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("id") != task or data.get("version") != chosen:
        raise ConfigError(f"Prompt file {path} must have id '{task}' and version {chosen}.")
    return PromptTemplate(
        id=task,
        version=chosen,
        description=str(data.get("description", "")),
        system=str(data.get("system", "")),
        user=str(data.get("user", "")),
        sha8=hashlib.sha256(raw).hexdigest()[:8],
    )
