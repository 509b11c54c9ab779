"""The platform files a fresh machine and CI depend on: pinned dependencies, vendored
assets, Gunicorn settings, the Jenkinsfile and the layer contracts."""

from __future__ import annotations

import re
import runpy
import subprocess
import tomllib

from portal.config import PROJECT_ROOT


def _requirement_names() -> list[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]  # dev, bench: every group is pinned too
    specs = project["dependencies"] + [spec for group in extras.values() for spec in group]
    return [re.split(r"[<>=!\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs]


def test_every_dependency_is_pinned_in_constraints():
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    missing = [name for name in _requirement_names() if name not in pinned]
    assert missing == [], f"sem versão fixada em constraints.txt: {missing}"


def test_static_assets_are_vendored_and_versioned():
    vendor = PROJECT_ROOT / "static" / "vendor"
    for path in (
        "htmx/htmx.min.js",
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "chartjs/chart.umd.min.js",
    ):
        assert (vendor / path).stat().st_size > 10_000, path
    versions = (vendor / "VERSIONS.md").read_text()
    assert re.search(r"htmx\.org \| 2\.0\.\d+", versions)
    assert "bootstrap | 5." in versions and "chart.js | 4." in versions
    assert b'version:"2.0.' in (vendor / "htmx/htmx.min.js").read_bytes()


def test_templates_load_nothing_from_a_cdn():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if re.search(r"""(src|href)=["']https?://""", path.read_text())
    ]
    assert offenders == []


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    path = str(PROJECT_ROOT / "gunicorn.conf.py")
    defaults = runpy.run_path(path)
    assert defaults["preload_app"] is False  # no database connection before fork
    assert defaults["accesslog"] == "-" and defaults["worker_class"] == "gthread"
    assert defaults["workers"] >= 2 and defaults["threads"] >= 8
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9999")
    monkeypatch.setenv("GUNICORN_WORKERS", "7")
    monkeypatch.setenv("GUNICORN_THREADS", "3")
    custom = runpy.run_path(path)
    assert (custom["bind"], custom["workers"], custom["threads"]) == ("0.0.0.0:9999", 7, 3)


def test_jenkinsfile_stages_call_existing_make_targets():
    jenkinsfile = (PROJECT_ROOT / "Jenkinsfile").read_text()
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    stages = re.findall(r"stage\('([^']+)'\)", jenkinsfile)
    assert stages == ["Setup", "Lint", "Tests on SQLite", "Tests on PostgreSQL", "Browser tests", "Deploy"]
    # the deploy runs after every test stage, on main only, to the target given as a parameter
    deploy = jenkinsfile[jenkinsfile.index("stage('Deploy')") :]
    assert "branch 'main'" in deploy and "name: 'DEPLOY_TARGET'" in jenkinsfile
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M))
    called = {t for line in re.findall(r"sh 'make ([^']+)'", jenkinsfile) for t in line.split()}
    assert called and called <= targets, called - targets
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and "make test" in ci and "ATHENAS_REQUIRE_BROWSER=1" in ci


def test_layer_contracts_hold():
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "lint-imports")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "0 broken" in result.stdout


def test_make_test_runs_the_main_browser_flows_on_the_production_shape():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    test_target = re.search(r"^test: (.*)$", makefile, flags=re.M)
    assert test_target and "test-browser-prod" in test_target[1].split()
    recipe = makefile.split("\ntest-browser-prod:", 1)[1].split("\n\n", 1)[0]
    assert "ATHENAS_E2E_SHAPE=production" in recipe and '-m "e2e and production_shape"' in recipe
    assert "exit 1" in recipe  # CI (ATHENAS_REQUIRE_BROWSER=1) without the services fails
    assert "test-browser-prod" in (PROJECT_ROOT / "Jenkinsfile").read_text()
    marked = {
        path.name
        for path in (PROJECT_ROOT / "tests" / "e2e").glob("test_*.py")
        if "production_shape" in path.read_text()
    }
    assert marked == {
        "test_login_browser.py",  # sign-in with MFA
        "test_clients_browser.py",  # client search
        "test_pipeline_browser.py",  # board move
        "test_commissions_browser.py",  # finance ledger
        "test_jobs_browser.py",  # a job run by the Celery worker
    }
