"""Errors the analyser raises on purpose; each carries a plain-language message for the user."""

from __future__ import annotations


class AnalyserError(Exception):
    """Base class: an expected failure with a message a legal user can act on."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class IngestError(AnalyserError):
    """A file could not be read as a document (wrong type, corrupt, encrypted, too large...)."""

    def __init__(self, source: str, reason: str, *, code: str, hint: str = "") -> None:
        super().__init__(f"{source}: {reason}", hint=hint)
        self.source = source
        self.reason = reason
        self.code = code


class BackendError(AnalyserError):
    """The language-model backend failed (not loaded, server unreachable, bad reply)."""


class SchemaError(AnalyserError):
    """A model reply did not match the expected JSON schema."""


class ConfigError(AnalyserError):
    """Settings, the model registry or a policy file is invalid."""


class ModelFileError(ConfigError):
    """A GGUF model file is missing, incomplete or fails its checksum."""
