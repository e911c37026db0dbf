"""Garbage collection is paused only for the phases that build many objects, and always put back."""

import gc

import pytest

from reportgen.util.gcpause import collection_paused
from reportgen.render.report import render_pdf


@pytest.fixture
def collector_state():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_put_back_as_it_was_even_after_an_error(collector_state, enabled):
    gc.enable() if enabled else gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(ZeroDivisionError), collection_paused():
        1 / 0
    assert gc.isenabled() is enabled


def test_rendering_a_pdf_pauses_collection_and_puts_it_back(collector_state, monkeypatch):
    import weasyprint

    seen = []
    original = weasyprint.HTML.write_pdf

    def write_pdf(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)
    gc.enable()
    assert render_pdf("<!DOCTYPE html><p>x</p>").startswith(b"%PDF")
    assert seen == [False] and gc.isenabled()
