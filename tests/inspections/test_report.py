"""The report: an HTML page and a PDF (WeasyPrint) with a server-drawn chart, tables and the
recommendations. The PDF is opened in Chromium's PDF viewer to prove its chart really renders."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from safeguard.audit_trail.models import AuditEntry
from safeguard.inspections import report
from safeguard.inspections.report import GRADE_COLOURS

HEADLINE = "21 case files: 0 good, 10 requires improvement, 11 inadequate"


def _pdf_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (its own boxes: no PDF text extractor is installed)."""
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    words = [box.text for page in document.pages for box in page._page_box.descendants() if hasattr(box, "text")]
    return " ".join(words)


def test_the_pdf_renders_with_the_grade_counts_and_recommendations(force, published):
    from django.template.loader import render_to_string

    pdf = report.pdf(force.inspector, published, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF-")

    text = _pdf_text(render_to_string("inspections/report_pdf.html", report.context(force.inspector, published)))
    assert HEADLINE in text
    assert "Record supervisory reviews at every key decision." in text
    assert "Leadership and supervision" in text


def test_the_pdf_chart_is_svg_with_a_bar_per_grade_sized_by_its_count(force, published):
    bars = report.grade_chart_svg_bars([("good", "Good", 0), ("requires_improvement", "Requires improvement", 10),
                                        ("inadequate", "Inadequate", 11)])
    assert [b.count for b in bars] == [0, 10, 11]
    assert bars[0].height == 0
    assert bars[1].height == pytest.approx(bars[2].height * 10 / 11)


def test_downloading_the_pdf_is_a_logged_disclosure(client, force, published):
    client.force_login(force.senior)
    response = client.get(reverse("inspections:report-pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="disclosure", object_type="inspections.exercise",
                                     object_ids=[str(published.pk)], actor=force.senior).exists()


def test_the_report_page_has_the_headline_tables_and_chart_data(client, force, published):
    client.force_login(force.senior)
    response = client.get(reverse("inspections:report", args=[published.pk]))
    assert response.status_code == 200
    assert HEADLINE in response.text
    assert 'id="grade-chart-data"' in response.text
    assert "Record supervisory reviews at every key decision." in response.text


@pytest.mark.browser
def test_the_pdf_page_is_not_blank_when_rendered_to_an_image(browser, force, published, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf(force.inspector, published, base_url="http://testserver/"))
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    page.goto(path.as_uri())
    # Chromium's PDF viewer draws the page asynchronously; wait until the red bar is on screen.
    shot = tmp_path / "report-page-1.png"
    for _ in range(40):
        page.wait_for_timeout(250)
        page.screenshot(path=shot)
        if _pixels_like(Image.open(shot), GRADE_COLOURS["inadequate"]) > 200:
            break
    image = Image.open(shot)
    page.close()
    assert _pixels_like(image, GRADE_COLOURS["inadequate"]) > 200
    assert _pixels_like(image, GRADE_COLOURS["requires_improvement"]) > 200
    assert _pixels_like(image, GRADE_COLOURS["good"]) == 0  # no bar for a grade nobody got


def _pixels_like(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(n for n, rgb in image.convert("RGB").getcolors(image.width * image.height)
               if all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True)))
