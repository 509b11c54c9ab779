"""What the spreadsheet readers and writers share."""

from __future__ import annotations

import os

StrPath = str | os.PathLike[str]
