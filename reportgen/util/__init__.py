"""Small helpers that know nothing of the pipeline: YAML with line numbers, locks, progress lines, text folding, glyph coverage, garbage-collection pausing."""
