"""Two people editing the same case: the second save is refused with a clear message, changes
nothing, and their words come back to them on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguard.casework import services


def _edit(force, case, who, version, summary, risk="medium"):
    return services.investigation_update(actor=force[who], investigation=case, version=version, title=case.title,
                                         summary=summary, risk_level=risk, officer=force["oic"])


def test_the_second_save_from_the_same_version_is_refused(force, open_case):
    case = open_case()
    read_at = case.version
    _edit(force, case, "oic", read_at, "Mother disclosed a new partner.")
    with pytest.raises(services.EditConflict, match="Someone else changed this case"):
        _edit(force, case, "colleague", read_at, "School raised a concern.", risk="high")
    case.refresh_from_db()
    assert (case.summary, case.risk_level, case.version) == ("Mother disclosed a new partner.", "medium", read_at + 1)
    assert not case.log.filter(kind="risk").exists()


def test_the_page_keeps_the_refused_words_and_lets_them_save_again(force, open_case, client):
    case = open_case()
    url = reverse("casework:edit", args=[case.pk])
    form = {"version": case.version, "title": case.title, "risk_level": "medium", "officer": force["oic"].pk}
    client.force_login(force["oic"])
    assert client.post(url, {**form, "summary": "First edit"}).status_code == 302
    client.force_login(force["colleague"])
    response = client.post(url, {**form, "summary": "My careful second edit"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this case while you were editing it" in html
    assert "My careful second edit" in html  # nothing lost
    assert "First edit" in html  # and the case as it is now
    case.refresh_from_db()
    assert case.summary == "First edit"
    assert f'name="version" value="{case.version}"' in html
    assert client.post(url, {**form, "version": case.version, "summary": "My careful second edit"}).status_code == 302
    case.refresh_from_db()
    assert case.summary == "My careful second edit"
