"""The "Calculadora" over uploaded files: run inline for small files, as a job for big ones.

Uploaded files are kept encrypted (they name collaborators) and decrypted into a private
temporary folder only while the engine reads them. The lines file a run produces is kept
encrypted too, under a random name the page hands back for the download.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from portal.commissions.calculator import Summary, calculate
from portal.commissions.layouts import DEMO_BANKS
from portal.core.jobs import JobContext, JobResult, job_kind
from portal.core.money import format_brl
from portal.core.spreadsheets import iter_rows
from portal.proposals.importing import keep_file, read_kept_file

KIND = "commissions.calculator"
PREVIEW_LINES = 200  # lines shown on the page; the download has them all
INPUTS = ("table", "contracts", "plans")


@dataclass(frozen=True)
class Upload:
    """One uploaded input: its bytes and the name it came with (for the extension)."""

    data: bytes
    filename: str

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.data.startswith(b"PK\x03\x04") else ".csv"


def _write_inputs(folder: Path, uploads: dict[str, Upload]) -> dict[str, Path]:
    paths = {}
    for name, upload in uploads.items():
        path = folder / f"{name}{upload.suffix}"
        path.write_bytes(upload.data)
        paths[name] = path
    return paths


def run(
    uploads: dict[str, Upload],
    storage_dir: str | os.PathLike[str],
    *,
    keep: int = PREVIEW_LINES,
    progress=None,
) -> tuple[Summary, str]:
    """Run the engine over the uploads; returns the summary and the kept lines file's name.

    Raises the layouts' :class:`~portal.commissions.fields.LayoutError` (every bad line)."""
    with tempfile.TemporaryDirectory(prefix="calc-") as tmp:
        folder = Path(tmp)
        paths = _write_inputs(folder, uploads)
        out = folder / "linhas.csv"
        summary = calculate(
            paths["table"],
            paths["contracts"],
            out,
            plans=paths.get("plans"),
            banks=DEMO_BANKS,
            keep=keep,
            progress=progress,
        )
        return summary, keep_file(out.read_bytes(), storage_dir)


def lines_file(name: str, storage_dir: str | os.PathLike[str]) -> bytes:
    """The clear lines CSV of a run (DomainError for a name that is not one)."""
    return read_kept_file(name, storage_dir)


def count_rows(upload: Upload) -> int | None:
    """Data rows of a contracts file (the progress bar's total), or None if unreadable."""
    with tempfile.TemporaryDirectory(prefix="calc-") as tmp:
        path = Path(tmp) / f"contracts{upload.suffix}"
        path.write_bytes(upload.data)
        try:
            return max(sum(1 for _n, cells in iter_rows(path) if any(cells)) - 1, 0)
        except Exception:  # noqa: BLE001 - only a progress estimate; the run reports errors
            return None


def summary_fields(summary: Summary) -> dict[str, object]:
    company = summary.totals.get("empresa", Decimal("0.00"))
    return {
        "Contratos": summary.contracts,
        "Linhas": summary.lines,
        "Sem tabela": summary.no_table,
        "Tabela ambígua": summary.ambiguous,
        "Total da empresa": format_brl(company),
    }


@job_kind(KIND, label="Calculadora de comissões", max_attempts=1)
def calculator_job(ctx: JobContext, stored: dict[str, str], filenames: dict[str, str]) -> JobResult:
    """`stored`: the kept (encrypted) inputs by role; writes the lines CSV as the job's file."""
    imports = Path(ctx.storage_dir) / "imports"
    try:
        uploads = {
            name: Upload(read_kept_file(kept, ctx.storage_dir), filenames.get(name, name))
            for name, kept in stored.items()
        }
        total = count_rows(uploads["contracts"])
        ctx.report(0, total, "Lendo a tabela e os planos…")

        def progress(done: int) -> None:
            ctx.report(done, total, f"{done} contratos calculados")
            ctx.check_cancelled()

        summary, kept = run(uploads, ctx.storage_dir, keep=0, progress=progress)
        target = ctx.output_path("linhas-comissao.csv")
        target.write_bytes(read_kept_file(kept, ctx.storage_dir))
        (imports / kept).unlink(missing_ok=True)
    finally:
        for name in stored.values():
            (imports / name).unlink(missing_ok=True)
    message = f"{summary.contracts} contrato(s), {summary.lines} linha(s) calculada(s)."
    if summary.no_table or summary.ambiguous:
        message += f" {summary.no_table} sem tabela, {summary.ambiguous} com tabela ambígua."
    return JobResult(message=message, summary=summary_fields(summary), file=target.name)
