"""Languages: the catalogues of the report's fixed texts, and the translation round trip of the texts typed in the returns."""
