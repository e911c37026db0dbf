"""From the language-neutral model to files: the Locale (language, direction, catalogue, formats, fonts), the localised model, HTML and PDF (Jinja2, WeasyPrint), JSON and the data workbook."""
