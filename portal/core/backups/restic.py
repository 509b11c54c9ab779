"""The restic runner: every call is a `restic` subprocess with the repository and its
password in the child's environment (RESTIC_REPOSITORY / RESTIC_PASSWORD), never on the
command line (other users see it in `ps`) nor in a log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from portal.core.backups.settings import RESTIC_HOST, mask_location

log = logging.getLogger("portal.backups")
CHUNK = 1024 * 1024


class ResticError(Exception):
    """A restic command failed; `message` is pt-BR for people, `kind` for code."""

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def _classify(location: str, stderr: str) -> ResticError:
    where = mask_location(location)
    if "wrong password" in stderr or "no key found" in stderr:
        return ResticError(f"Senha incorreta para o repositório {where}.", "wrong_password")
    if "Is there a repository at the following location" in stderr:
        return ResticError(f"Não há repositório restic em {where}.", "missing")
    last = next((line for line in reversed(stderr.strip().splitlines()) if line.strip()), "erro desconhecido")
    return ResticError(f"Falha no restic ({where}): {last[:300]}")


@dataclass(frozen=True)
class Snapshot:
    id: str
    short_id: str
    time: str
    paths: tuple[str, ...]
    tags: tuple[str, ...]

    def tag_value(self, key: str) -> str | None:
        prefix = f"{key}="
        return next((tag.removeprefix(prefix) for tag in self.tags if tag.startswith(prefix)), None)


class Restic:
    """One repository: `Restic(location, password).snapshots()`."""

    def __init__(self, location: str, password: str, binary: str = "restic", cache_dir: str | None = None):
        self.location = location
        self.shown = mask_location(location)
        self._password = password
        self._binary = binary
        self._cache_dir = cache_dir

    def __repr__(self) -> str:  # never the password
        return f"Restic({self.shown!r})"

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("RESTIC_")}
        env["RESTIC_REPOSITORY"] = self.location
        env["RESTIC_PASSWORD"] = self._password
        if self._cache_dir:
            env["RESTIC_CACHE_DIR"] = self._cache_dir
        return env

    def _argv(self, args: Sequence[str]) -> list[str]:
        return [self._binary, *args]

    def run(self, args: Sequence[str], *, timeout: float | None = None) -> str:
        """Run `restic args...`, return stdout; raise `ResticError` on failure."""
        log.info("restic %s (%s)", " ".join(args[:1]), self.shown)
        done = subprocess.run(  # noqa: S603 - fixed binary, arguments built here
            self._argv(args), env=self._env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise _classify(self.location, done.stderr)
        return done.stdout

    def ensure_initialised(self) -> bool:
        """Open the repository, creating it when nothing is there yet; True when created.
        A wrong password is an error, never a reason to create a new repository."""
        try:
            self.run(["cat", "config"])
            return False
        except ResticError as error:
            if error.kind != "missing":
                raise
        self.run(["init"])
        log.info("restic repository created at %s", self.shown)
        return True

    def snapshots(self, *tags: str) -> list[Snapshot]:
        args = ["snapshots", "--json"]
        if tags:
            args += ["--tag", ",".join(tags)]
        items: list[dict[str, Any]] = json.loads(self.run(args) or "[]") or []
        return [
            Snapshot(
                id=item["id"],
                short_id=item.get("short_id") or item["id"][:8],
                time=item["time"],
                paths=tuple(item.get("paths") or ()),
                tags=tuple(item.get("tags") or ()),
            )
            for item in items
        ]

    def start_stdin_backup(self, filename: str, tags: Sequence[str], when: datetime) -> StdinBackup:
        """A `restic backup --stdin` waiting for bytes: `write()` them, then `finish()`."""
        return StdinBackup(self, filename, tags, when)

    def backup_paths(self, paths: Sequence[str], tags: Sequence[str], when: datetime) -> str:
        out = self.run(["backup", "--json", *_common_backup_args(tags, when), *paths])
        return _snapshot_id(out)

    def dump(self, snapshot_id: str, filename: str, sink: IO[bytes]) -> int:
        """Stream one file of a snapshot into `sink`; returns the number of bytes."""
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(  # noqa: S603
                self._argv(["dump", snapshot_id, filename]),
                env=self._env(),
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            assert child.stdout is not None
            total = 0
            while chunk := child.stdout.read(CHUNK):
                sink.write(chunk)
                total += len(chunk)
            if child.wait() != 0:
                errors.seek(0)
                raise _classify(self.location, errors.read().decode("utf-8", "replace"))
        return total

    def restore(self, snapshot_id: str, folder: str, target: str) -> None:
        """Restore the absolute `folder` of a snapshot so that its content lands directly in
        `target` (restic 0.14 recreates the full path: restore beside it, then move)."""
        destination = Path(target)
        destination.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".restoring-", dir=destination.parent) as work:
            self.run(["restore", snapshot_id, "--target", work, "--include", folder])
            restored = Path(work) / folder.lstrip("/")
            if restored.is_dir():
                for item in restored.iterdir():
                    shutil.move(str(item), destination / item.name)

    def check(self, subset_percent: int) -> str:
        """`restic check` reading `subset_percent`% of the data packs (0 = structure only)."""
        args = ["check"]
        if subset_percent > 0:
            args.append(f"--read-data-subset={min(subset_percent, 100)}%")
        return self.run(args)

    def forget(self, *, keep_daily: int, keep_weekly: int, keep_monthly: int, tag: str) -> Any:
        out = self.run([
            "forget", "--json", "--prune", "--tag", tag,
            "--keep-daily", str(keep_daily), "--keep-weekly", str(keep_weekly),
            "--keep-monthly", str(keep_monthly),
        ])  # fmt: skip
        # The JSON list comes first; the prune's progress text follows it.
        start = out.find("[")
        return json.JSONDecoder().raw_decode(out, start)[0] if start >= 0 else []


def _common_backup_args(tags: Sequence[str], when: datetime) -> list[str]:
    return ["--host", RESTIC_HOST, "--tag", ",".join(tags), "--time", when.strftime("%Y-%m-%d %H:%M:%S")]


def _snapshot_id(stdout: str) -> str:
    for line in reversed(stdout.strip().splitlines()):
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and item.get("message_type") == "summary":
            return str(item["snapshot_id"])
    raise ResticError("O restic não informou o snapshot criado.")


class StdinBackup:
    """A running `restic backup --stdin`; a failure is kept, not raised, so a backup
    going to several repositories goes on for the others."""

    def __init__(self, repo: Restic, filename: str, tags: Sequence[str], when: datetime) -> None:
        self.repo = repo
        self.error: ResticError | None = None
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish()/abort()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        args = ["backup", "--json", "--stdin", "--stdin-filename", filename, *_common_backup_args(tags, when)]
        log.info("restic backup --stdin %s (%s)", filename, repo.shown)
        self._child = subprocess.Popen(  # noqa: S603
            repo._argv(args), env=repo._env(), stdin=subprocess.PIPE, stdout=self._out, stderr=self._err
        )

    def write(self, chunk: bytes) -> None:
        if self.error is not None or self._child.stdin is None:
            return
        try:
            self._child.stdin.write(chunk)
        except (BrokenPipeError, OSError):
            self.error = self._failure()

    def abort(self) -> None:
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        self._close()

    def finish(self) -> str:
        """Close stdin, wait for restic; the new snapshot's id (raises on failure)."""
        if self._child.stdin is not None:
            with contextlib.suppress(OSError):
                self._child.stdin.close()
        code = self._child.wait()
        try:
            if self.error is None and code != 0:
                self.error = self._failure()
            if self.error is not None:
                raise self.error
            self._out.seek(0)
            return _snapshot_id(self._out.read().decode("utf-8", "replace"))
        finally:
            self._close()

    def _failure(self) -> ResticError:
        self._child.wait()
        self._err.seek(0)
        return _classify(self.repo.location, self._err.read().decode("utf-8", "replace"))

    def _close(self) -> None:
        self._out.close()
        self._err.close()
