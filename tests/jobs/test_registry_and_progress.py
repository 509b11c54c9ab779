"""Job kinds registry, progress view arithmetic, result rendering rules."""

from __future__ import annotations

import pytest

from portal.core.jobs import Job, JobResult, get_kind, job_kind, kind_label
from portal.core.jobs.context import LiveProgress
from portal.core.jobs.queries import progress_view


def _job(**fields) -> Job:
    values = {
        "id": 1,
        "kind": "demo.recompute",
        "status": "running",
        "progress_done": 0,
        "progress_total": None,
        "progress_message": "",
        "cancel_requested": False,
    }
    values.update(fields)
    return Job(**values)


def test_demo_kind_is_registered_with_a_portuguese_label(app):
    assert get_kind("demo.recompute") is not None
    assert kind_label("demo.recompute") == "Recalcular totais de demonstração"
    assert kind_label("nao.existe") == "nao.existe"


def test_a_kind_name_cannot_be_taken_by_another_function():
    @job_kind("test.unique-name", label="Único")
    def first(ctx):
        return None

    with pytest.raises(ValueError, match="registered twice"):

        @job_kind("test.unique-name", label="Outro")
        def second(ctx):
            return None


@pytest.mark.parametrize(
    ("fields", "percent"),
    [
        ({"progress_done": 3, "progress_total": 4}, 75),
        ({"progress_done": 9, "progress_total": 4}, 100),
        ({"progress_done": 0, "progress_total": 0}, None),
        ({"status": "done", "progress_done": 1, "progress_total": 3}, 100),
        ({"status": "queued"}, 0),
    ],
)
def test_percent(fields, percent):
    assert progress_view(_job(**fields)).percent == percent


def test_live_progress_wins_while_running_only():
    live = LiveProgress(2, 8, "ao vivo", 0.0)
    assert progress_view(_job(progress_done=1, progress_total=8), live).message == "ao vivo"
    assert progress_view(_job(progress_done=1, progress_total=8), live).percent == 25
    done = _job(status="done", progress_done=8, progress_total=8, progress_message="Concluído.")
    assert progress_view(done, live).message == "Concluído."


def test_result_file_must_be_a_plain_name():
    with pytest.raises(ValueError):
        JobResult(file="../../etc/passwd").to_json()
    assert JobResult(file="saida.pdf").to_json()["file"] == "saida.pdf"
