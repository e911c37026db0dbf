"""The Bureaux' side: the blank return they fill in (template), the copy with its problems marked (feedback), and the scan of untrusted workbook files (xlsxscan)."""
