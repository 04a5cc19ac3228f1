"""The watchlist's PDF brief as the page serves it: one section per shop on screen, in the interface's language."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.app.conftest import PAGES, new_app
from tests.app.helpers import assert_clean, text


@pytest.fixture()
def deferred_downloads(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The callables that download buttons register for rendering on click, by file extension.

    The PDF brief is rendered only when clicked (st.download_button with a callable), which AppTest
    cannot do; recording what the button registered lets the test call exactly what a click would.
    """
    registered: dict = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered[(file_name or "").rsplit(".", 1)[-1]] = (data_callable, mimetype, file_name)
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return registered


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_brief_holds_the_shops_on_screen(warehouses, use_warehouse, deferred_downloads, lang):
    use_warehouse(warehouses.scored)
    at = new_app()
    at.query_params["lang"] = lang
    at.run()
    at = at.switch_page(PAGES["watchlist"]).run()
    at.main.multiselect(key="wl_levels").set_value(["high", "medium"])
    at.main.number_input(key="wl_top").set_value(4)
    at.main.button(key="wl_add_filtered").click().run()
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"note": "=复查 <b>x</b>"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    screen = at.data_editor[0].value
    assert len(screen) == 4

    button = at.main.get("download_button")
    assert text("watchlist.pdf", lang) in [b.proto.label for b in button]
    render, mimetype, file_name = deferred_downloads["pdf"]
    assert mimetype == "application/pdf" and file_name.startswith("watchlist-brief-")
    pdf = render()
    assert pdf.startswith(b"%PDF-")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 1 + len(screen)  # the list, then one page per shop in the screen's order
    for page, shop in zip(pages[1:], screen.itertuples(), strict=True):
        assert f"{shop.rank}. {shop.shop_name}" in page
        assert shop.merchant_id in page and shop.platform_id in page
        first_reason = shop.reasons.split(";")[0].strip()
        assert "".join(first_reason.split()) in "".join(page.split())  # the same text as the screen
    assert "=复查 <b>x</b>" in pages[1]  # the note, literally
    heading = {"zh": "主要原因与证据", "en": "Main reasons and evidence"}[lang]
    assert all(heading in page for page in pages[1:])
    assert str(screen["score_run_id"].iloc[0]) in pages[0]
