"""Evidence files of a record (a signed consent term, a certificate): one rule for every kind.

The file is checked by its content at the upload gate (PDF, JPEG, PNG), size-limited, hashed
(SHA-256 of the clear content) and written encrypted under a random name in the kind's
directory of the storage; it is read back decrypted (older files still in clear as they are).
Each kind only says where it goes, how big it may be and what the user is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from portal.core import uploads
from portal.core.errors import NotFound


@dataclass(frozen=True)
class EvidenceKind:
    subdir: str  # directory under the storage root
    max_bytes: int
    messages: Mapping[str, str]  # "empty", "too_big", "type": refusals at the upload gate
    default_filename: str  # shown when the upload came without a name
    absent: str  # the record has no evidence file
    missing: str  # the record names a file the storage no longer has

    def store(self, storage_dir: str | Path | None, filename: str | None, data: bytes) -> uploads.StoredFile:
        """Check and write `data` encrypted (evidence carries personal data)."""
        if storage_dir is None:
            raise ValueError("storage_dir is required to keep evidence files")
        return uploads.store_upload(
            storage_dir,
            self.subdir,
            data,
            filename=filename or self.default_filename,
            max_bytes=self.max_bytes,
            messages=dict(self.messages),
            field="evidence",
            encrypt=True,
        )

    def path(self, storage_dir: str | Path, relative: str | None) -> Path:
        """Where the stored file is (NotFound when the record has none or it is gone)."""
        if not relative:
            raise NotFound(self.absent)
        return uploads.resolve_stored(storage_dir, relative, self.missing)

    def read(self, storage_dir: str | Path, relative: str | None) -> bytes:
        """The clear content of the stored file (NotFound as in `path`)."""
        if not relative:
            raise NotFound(self.absent)
        return uploads.read_stored(storage_dir, relative, self.missing)
