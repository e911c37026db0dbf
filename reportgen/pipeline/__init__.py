"""The build's stages: configuration, ingest, validate, analyse, rules, advice, assembly, then render and write (build.py runs them in that order)."""
