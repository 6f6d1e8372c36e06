"""Streamlit app for legal review: upload contracts, see each fact on its page, correct, export.

Run with `analyser app` or `streamlit run app.py` (the repository's .streamlit/config.toml binds
the server to 127.0.0.1 and turns usage statistics off). Layout and session state only: the
analysis, review, rendering and tables live in the analyser package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import streamlit as st

from analyser import export, pipeline, render, review, risk, tables
from analyser.config import DEFAULT_MODEL_ID, REPO_ROOT, load_registry, load_settings
from analyser.errors import AnalyserError
from analyser.i18n import LANGUAGES, Lang, field_label, localised, t
from analyser.policy import LoadedPolicy, default_policy, load_policy, parse_policy
from analyser.review import REVIEW_FIELDS, ReviewedDocument
from analyser.types import DocumentReport, Finding, ReviewAction

log = logging.getLogger("analyser.app")

# ANALYSER_APP_BACKEND picks the engine selected when the app opens (the browser test uses "rules").
BACKEND_ENV = "ANALYSER_APP_BACKEND"
APP_BACKENDS = ("llama", "rules", "openai")
UPLOAD_TYPES = ["pdf", "docx", "html", "htm", "md", "markdown", "txt", "json"]  # json: a saved analysis
REVIEW_ACTIONS: tuple[ReviewAction, ...] = get_args(ReviewAction)
DOCS = "documents"  # session-state key: {upload key: ReviewedDocument}
POLICY_DIR = REPO_ROOT / "policies"
BADGE_COLOURS = {"low": "green", "medium": "orange", "high": "red", "unknown": "gray"}


# --- Resources (once per process) -------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def analyser_for(backend: str, model: str | None, base_url: str | None) -> pipeline.Analyser:
    """One Analyser per engine choice; it loads its model on first use and keeps it for the process."""
    options = pipeline.AnalysisOptions(backend=backend, model=model, base_url=base_url)
    return pipeline.Analyser(options, load_settings())


@st.cache_resource(show_spinner=False)
def analysis_lock() -> threading.Lock:
    """One analysis at a time: the in-process model is not safe to share between sessions at once."""
    return threading.Lock()


@st.cache_data(show_spinner=False)
def model_ids() -> list[str]:
    """Model ids from models/registry.toml, the default first."""
    try:
        registry = load_registry(load_settings().models_dir / "registry.toml")
    except AnalyserError:
        return [DEFAULT_MODEL_ID]
    ids = [m.id for m in sorted(registry.model, key=lambda m: not m.default)]
    return ids or [DEFAULT_MODEL_ID]


# --- Sidebar ------------------------------------------------------------------------------------


def sidebar() -> tuple[Lang, pipeline.Analyser, LoadedPolicy]:
    """Language, reviewer, engine, model and policy choices."""
    with st.sidebar:
        lang = st.radio(
            "Language / Taal",
            LANGUAGES,
            format_func=lambda code: {"en": "English", "nl": "Nederlands"}[code],
            horizontal=True,
            key="lang",
        )
        st.header(t("settings", lang))
        st.text_input(t("reviewer", lang), key="reviewer")
        default = os.environ.get(BACKEND_ENV, "llama")
        backend = st.selectbox(
            t("backend", lang),
            APP_BACKENDS,
            index=APP_BACKENDS.index(default) if default in APP_BACKENDS else 0,
            format_func=lambda name: t(f"backend.{name}", lang),
            key="backend",
        )
        model: str | None = None
        base_url: str | None = None
        if backend == "llama":
            model = st.selectbox(t("model", lang), model_ids(), key="model")
        elif backend == "openai":
            base_url = st.text_input(t("base_url", lang), "http://127.0.0.1:8080/v1", key="base_url")
            model = st.text_input(t("model", lang), "", key="server_model") or None
        policy = choose_policy(lang)
        if st.button(t("clear", lang), key="clear"):
            st.session_state[DOCS] = {}
    return lang, analyser_for(backend, model, base_url), policy


def choose_policy(lang: Lang) -> LoadedPolicy:
    """The built-in policy, a file from policies/, or an uploaded TOML file (kept in memory)."""
    files = {path.stem: path for path in sorted(POLICY_DIR.glob("*.toml"))} if POLICY_DIR.is_dir() else {}
    choice = st.selectbox(
        t("policy", lang),
        ["", *files],
        format_func=lambda stem: stem or t("policy.default", lang),
        key="policy",
    )
    uploaded = st.file_uploader(t("policy.upload", lang), type=["toml"], key="policy_upload")
    try:
        if uploaded is not None:
            return parse_policy(uploaded.getvalue().decode("utf-8", errors="replace"), uploaded.name)
        return load_policy(files[choice]) if choice else default_policy()
    except AnalyserError as exc:
        st.error(str(exc))
        return default_policy()


# --- Analysis -----------------------------------------------------------------------------------


def upload_key(name: str, sha256: str) -> str:
    """The same file uploaded again is not analysed again; a saved analysis finds its PDF by this key."""
    return f"{sha256[:16]}-{name}"


def analyse_upload(analyser: pipeline.Analyser, name: str, data: bytes, say: Callable[[str], None]) -> DocumentReport:
    """Analyse one uploaded file from a temporary folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="analyser-upload-") as folder:
        suffix = Path(name).suffix.lower()
        path = Path(folder) / f"{export.safe_stem(name)}{suffix}"
        path.write_bytes(data)
        try:
            with analysis_lock():
                if analyser.uses_model:
                    say("model")
                    analyser.backend()
                return analyser.analyse_path(path, say)
        except AnalyserError as exc:  # a per-file problem must not stop the other files
            log.warning("analysis of an upload failed: %s", type(exc).__name__)
            return DocumentReport(document=path.name, status="failed", errors=(str(exc),))


def analyse_new_uploads(analyser: pipeline.Analyser, uploads: Sequence[Any], lang: Lang) -> None:
    """Analyse every upload not yet in the session, each with its own stage progress."""
    documents: dict[str, ReviewedDocument] = st.session_state[DOCS]
    for upload in uploads:
        data = upload.getvalue()
        if Path(upload.name).suffix.lower() == ".json":
            restore_upload(upload.name, data, lang)
            continue
        key = upload_key(upload.name, hashlib.sha256(data).hexdigest())
        if key in documents:
            if documents[key].pdf is None and documents[key].original.media_type == "pdf":
                documents[key].pdf = data  # the PDF of a restored analysis: pages can be shown again
            continue
        with st.status(f"{t('analysing', lang)}: {upload.name}", expanded=False) as status:

            def say(stage: str, name: str = upload.name, box: Any = status) -> None:
                step, _, count = stage.partition(" ")  # "extract 2/3": the step and how far it is
                label = f"{t(f'stage.{step}', lang)} {count}".strip()
                box.update(label=f"{name}: {label}")
                box.write(label)

            say("start")
            report = analyse_upload(analyser, upload.name, data, say)
            state: Literal["error", "complete"] = "error" if report.status == "failed" else "complete"
            status.update(label=f"{upload.name}: {t('stage.done', lang)}", state=state)
        pdf = data if report.media_type == "pdf" else None
        documents[key] = ReviewedDocument(key=key, name=upload.name, original=report, pdf=pdf)


def restore_upload(name: str, data: bytes, lang: Lang) -> None:
    """Continue a review from a JSON report the app saved earlier, its audit trail included."""
    documents: dict[str, ReviewedDocument] = st.session_state[DOCS]
    try:
        report = review.restore(data)
    except ValueError as exc:
        st.error(f"{t('failed', lang)} {name}: {exc}")
        return
    key = upload_key(report.document, report.sha256)
    if key not in documents:
        documents[key] = ReviewedDocument(key=key, name=report.document, original=report, decisions=list(report.review))


# --- One document -------------------------------------------------------------------------------


def reviewed_report(document: ReviewedDocument, policy: LoadedPolicy) -> DocumentReport:
    """The report with the reviewer's decisions applied and its risk recomputed from them."""
    return risk.with_risk(document.current(), policy)


def show_document(document: ReviewedDocument, report: DocumentReport, lang: Lang) -> None:
    """Risk summary first, then facts, evidence on the page, review and downloads for one document."""
    show_risk(report, lang)
    if report.status == "partial":
        st.warning(f"{t('partial', lang)}: " + "; ".join(report.errors))
    if report.warnings:
        with st.expander(f"{t('warnings', lang)} ({len(report.warnings)})"):
            for warning in report.warnings:
                st.caption(warning)
    st.subheader(t("facts", lang))
    st.dataframe(review.fact_rows(report, lang), hide_index=True, width="stretch")
    show_evidence_and_review(document, report, lang)
    show_audit_trail(document, lang)
    show_downloads(document, report, lang)


def badge(level: str, lang: Lang) -> str:
    """A coloured Markdown badge for a risk level or severity."""
    return f":{BADGE_COLOURS.get(level, 'gray')}-badge[{t(f'level.{level}', lang)}]"


def show_risk(report: DocumentReport, lang: Lang) -> None:
    """Overall and per-dimension levels as badges, the indicative sovereignty level, the findings."""
    st.subheader(t("risk_summary", lang))
    summary = report.risk
    if summary is None:
        st.info(t("risk_unavailable", lang))
        return
    overall = localised(summary.overall_explanation, summary.overall_explanation_nl, lang)
    st.markdown(f"**{t('overall', lang)}:** {badge(summary.overall, lang)} {overall}")
    columns = st.columns(len(summary.dimensions))
    for column, (name, dimension) in zip(columns, summary.dimensions.items(), strict=True):
        explanation = localised(dimension.explanation, dimension.explanation_nl, lang)
        column.markdown(f"**{t(f'dim.{name}', lang)}**  \n{badge(dimension.level, lang)}")
        column.caption(explanation)
    sovereignty = summary.sovereignty
    label = localised(sovereignty.label, sovereignty.label_nl, lang)
    st.markdown(f"**{t('sovereignty', lang)}:** :blue-badge[{summary.sovereignty_level}] {label}")
    st.caption(f"{t('policy.used', lang)}: {summary.policy.name} (sha256 {summary.policy.sha256[:12]})")
    st.markdown(f"**{t('findings', lang)}** ({len(summary.findings)})")
    if not summary.findings:
        st.caption(t("no_findings", lang))
    for finding in summary.findings:
        show_finding(finding, lang)


def show_finding(finding: Finding, lang: Lang) -> None:
    """One finding: severity, title, why, legal basis, suggested action and its quotes."""
    title = localised(finding.title, finding.title_nl, lang)
    severity = t(f"level.{finding.severity}", lang)
    kind = "" if finding.kind == "risk" else f" · {t(f'kind.{finding.kind}', lang)}"
    with st.expander(f"{severity} · {title} ({finding.rule_id}){kind}"):
        st.write(localised(finding.explanation, finding.explanation_nl, lang))
        st.markdown(f"**{t('legal_basis', lang)}:** " + "; ".join(b.cite() for b in finding.legal_basis))
        st.markdown(f"**{t('action', lang)}:** {localised(finding.action, finding.action_nl, lang)}")
        for quote in finding.evidence:
            st.caption(f"{t('page', lang)} {quote.page}: “{quote.quote}”")


def show_evidence_and_review(document: ReviewedDocument, report: DocumentReport, lang: Lang) -> None:
    """The selected fact's page with its quote highlighted, and the review form beside it."""
    st.subheader(t("evidence", lang))
    field = st.selectbox(
        t("select_fact", lang),
        REVIEW_FIELDS,
        format_func=lambda name: field_label(name, lang),
        key=f"field-{document.key}",
    )
    page_column, form_column = st.columns([3, 2])
    evidence = report.facts[field].evidence if field in report.facts else ()
    with page_column:
        if not evidence:
            st.info(t("no_quote", lang))
        else:
            choice = 0
            if len(evidence) > 1:
                choice = st.radio(
                    t("quote", lang),
                    range(len(evidence)),
                    format_func=lambda i: f"{t('page', lang)} {evidence[i].page}: {evidence[i].quote[:60]}…",
                    key=f"evidence-{document.key}-{field}",
                )
            quote = evidence[choice]
            st.markdown(f"**{t('page', lang)} {quote.page}** · “{quote.quote}”")
            show_page(document, quote.page, quote.quote, lang)
    with form_column:
        review_form(document, report, field, lang)


def show_page(document: ReviewedDocument, page: int, quote: str, lang: Lang) -> None:
    """Render the PDF page with the quote highlighted (PDFs only)."""
    if document.pdf is None:
        st.caption(t("no_pdf", lang))
        return
    try:
        view = render.render_page(document.pdf, page, quote)
    except ValueError as exc:
        st.error(str(exc))
        return
    if not view.found:
        st.caption(t("quote_not_on_page", lang))
    st.image(view.png, caption=f"{document.name} · {t('page', lang)} {view.page}/{view.page_count}")


def review_form(document: ReviewedDocument, report: DocumentReport, field: str, lang: Lang) -> None:
    """Accept, correct or reject the selected fact with a note; the decision joins the audit trail."""
    current = review.field_value(report, field)
    st.markdown(f"**{t('value', lang)}:** {review.format_value(current, lang)}")
    with st.form(key=f"review-{document.key}-{field}", clear_on_submit=False):
        action: ReviewAction = st.radio(
            t("decision", lang),
            REVIEW_ACTIONS,
            format_func=lambda a: t(f"decision.{a}", lang),
            horizontal=True,
            key=f"action-{document.key}-{field}",
        )
        correction = st.text_input(
            t("new_value", lang),
            review.editable_text(current),
            help=t("new_value_help", lang),
            key=f"value-{document.key}-{field}",
        )
        note = st.text_area(t("note", lang), key=f"note-{document.key}-{field}")
        submitted = st.form_submit_button(t("save_decision", lang))
    if not submitted:
        return
    reviewer = str(st.session_state.get("reviewer", "")).strip()
    if not reviewer:
        st.warning(t("need_reviewer", lang))
        return
    try:
        decision = review.decide(report, field, action, reviewer=reviewer, correction=correction, note=note)
    except ValueError as exc:
        st.error(f"{t('invalid_value', lang)}: {exc}")
        return
    document.decisions.append(decision)
    st.session_state["flash"] = t("decision_saved", lang)
    st.rerun()


def show_audit_trail(document: ReviewedDocument, lang: Lang) -> None:
    """Every decision on this document, oldest first."""
    with st.expander(f"{t('audit_trail', lang)} ({len(document.decisions)})"):
        if document.decisions:
            st.dataframe(review.audit_rows(document.decisions, lang), hide_index=True, width="stretch")
        else:
            st.caption(t("no_decisions", lang))


def show_downloads(document: ReviewedDocument, report: DocumentReport, lang: Lang) -> None:
    """The reviewed report as JSON (with its review decisions), CSV, XLSX and Markdown."""
    st.subheader(t("downloads", lang))
    stem = export.safe_stem(document.name)
    rows = review.fact_rows(report, lang)
    columns = st.columns(4)
    columns[0].download_button(
        t("download.json", lang),
        export.report_json(report).encode("utf-8"),
        file_name=f"{stem}.json",
        mime="application/json",
        key=f"json-{document.key}",
    )
    columns[1].download_button(
        t("download.csv", lang),
        tables.rows_csv(rows),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{document.key}",
    )
    columns[2].download_button(
        t("download.xlsx", lang),
        tables.rows_xlsx(
            {
                t("facts", lang): rows,
                t("findings", lang): tables.finding_rows(report, lang),
                t("audit_trail", lang): review.audit_rows(report.review, lang),
            }
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{document.key}",
    )
    columns[3].download_button(
        t("download.md", lang),
        tables.report_markdown(report, lang).encode("utf-8"),
        file_name=f"{stem}.md",
        mime="text/markdown",
        key=f"md-{document.key}",
    )


# --- Several documents --------------------------------------------------------------------------


def show_comparison(reports: Sequence[DocumentReport], lang: Lang) -> None:
    """Vendors × key facts and levels: sortable, exportable."""
    st.header(t("comparison", lang))
    rows = tables.comparison_rows(reports, lang)
    columns = list(rows[0])
    sort_by = st.selectbox(t("sort_by", lang), columns, key="sort_by")
    ordered = tables.sort_rows(rows, sort_by)
    st.caption(t("comparison_hint", lang))
    st.dataframe(ordered, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        f"{t('comparison', lang)} · CSV", tables.rows_csv(ordered), file_name="comparison.csv", key="matrix-csv"
    )
    right.download_button(
        f"{t('comparison', lang)} · XLSX",
        tables.rows_xlsx({t("comparison", lang): ordered}),
        file_name="comparison.xlsx",
        key="matrix-xlsx",
    )


@st.cache_data(show_spinner=False, max_entries=16)
def register_downloads(reports_json: tuple[str, ...], policy_sha256: str, _policy: LoadedPolicy) -> dict[str, bytes]:
    """The register files for these reviewed reports; cached, as a rerun must not rebuild them."""
    reports = [DocumentReport.model_validate_json(text) for text in reports_json]
    return tables.register_files(reports, _policy)


def show_register(reports: Sequence[DocumentReport], policy: LoadedPolicy, lang: Lang) -> None:
    """summary.csv, summary.xlsx and report.md over every analysed document, vendors merged."""
    st.subheader(t("register", lang))
    files = register_downloads(tuple(r.model_dump_json() for r in reports), policy.ref.sha256, policy)
    for column, name in zip(st.columns(len(files)), tables.REGISTER_FILES, strict=True):
        column.download_button(name, files[name], file_name=name, key=f"register-{name}")


def main() -> None:
    """The page: sidebar, upload, per-file results, comparison."""
    st.set_page_config(page_title="analyser", layout="wide")
    st.session_state.setdefault(DOCS, {})
    lang, analyser, policy = sidebar()
    st.title(t("title", lang))
    st.caption(t("intro", lang))
    if "flash" in st.session_state:
        st.success(st.session_state.pop("flash"))
    uploads = st.file_uploader(t("upload", lang), type=UPLOAD_TYPES, accept_multiple_files=True, key="uploads")
    analyse_new_uploads(analyser, uploads or [], lang)
    documents: list[ReviewedDocument] = list(st.session_state[DOCS].values())
    for document in documents:
        if document.original.status == "failed":
            st.error(f"{t('failed', lang)} {document.name}: " + "; ".join(document.original.errors))
    analysed = [(d, reviewed_report(d, policy)) for d in documents if d.original.status != "failed"]
    if not analysed:
        return
    tabs = st.tabs([d.name for d, _ in analysed])
    for tab, (document, report) in zip(tabs, analysed, strict=True):
        with tab:
            show_document(document, report, lang)
    if len(analysed) > 1:
        show_comparison([report for _, report in analysed], lang)
    show_register([report for _, report in analysed], policy, lang)


if __name__ == "__main__":  # streamlit runs the script as __main__; importing it runs nothing
    main()
