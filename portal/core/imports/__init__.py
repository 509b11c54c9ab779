"""The import hub's engine: any tabular file (XLSX, CSV, HTML-as-.xls) → typed rows of a
registered kind, through a saved column layout recognised by its header fingerprint.

    sources  open the file, pick the sheet, stream rows (constant memory)
    headers  find the header row, fingerprint it, aliases, differences
    engine   analyse (layout match or quarantine) and records (typed rows / row errors)
    service  the database side: prepare, save layout, preview, execute, revert
    inbox    the per-bank inbox folders swept by a scheduled job
"""
