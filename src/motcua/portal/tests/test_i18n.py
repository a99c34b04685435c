"""Vietnamese by default, English after the switch; the catalogues are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("portal:home", ()),
    ("portal:procedures", ()),
    ("portal:procedure", ("2.001417",)),
    ("portal:agencies", ()),
    ("portal:agency", ("38",)),
]


def _switch(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_are_vietnamese_by_default(client, portal, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Cổng dịch vụ công — motcua" in html
    assert "Bỏ qua, đến nội dung chính" in html
    assert ">Thủ tục hành chính</a>" in html
    assert ">Cơ quan</a>" in html
    assert 'name="language" value="en"' in html


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_are_english_after_switching(client, portal, name, args):
    url = reverse(name, args=args)
    response = _switch(client, "en", url)
    assert response.status_code == 302
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Public Service Portal — motcua" in html
    assert ">Administrative procedures</a>" in html
    assert 'name="language" value="vi"' in html
    assert "Cổng dịch vụ công" not in html


def test_english_pages_translate_labels_but_not_official_names(client, portal):
    _switch(client, "en")
    html = client.get(reverse("portal:procedure", args=["2.001417"])).content.decode()
    assert "10 working days" in html
    assert "Partial online service" in html
    assert "Citizen" in html
    assert "Submit online" in html
    assert "Submit a dossier online" in html
    assert 'href="/nop-ho-so/2.001417/"' in html
    # names from the catalogue are official Vietnamese texts and stay as they are
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    listing = client.get(reverse("portal:procedures")).content.decode()
    assert "3 procedures found" in listing
    one = client.get(reverse("portal:procedures"), {"q": "khai sinh"}).content.decode()
    assert "1 procedure found" in one
    same_day = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    assert (
        "Same day (if received after 15:00, the result is returned the next working day)"
        in same_day
    )


def test_switching_back_to_vietnamese(client, portal):
    _switch(client, "en")
    _switch(client, "vi")
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_language_switch_is_a_post_form_with_csrf(client, portal):
    html = client.get("/thu-tuc/?q=khai+sinh").content.decode()
    form = re.search(
        r'<form class="lang-switch" action="([^"]+)" method="post">(.*?)</form>', html, re.S
    )
    assert form is not None
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="next" value="/thu-tuc/?q=khai+sinh"' in form.group(2)


def _entries(po: Path) -> list[dict]:
    """msgid/msgstr entries of a .po file (enough of the format for a completeness check)."""
    entries, current, key = [], None, None
    for raw in po.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current:
                entries.append(current)
            current, key = None, None
            continue
        if line.startswith("#"):
            if current is None:
                current = {"flags": "", "strings": {}}
            if line.startswith("#,"):
                current["flags"] += line
            continue
        if current is None:
            current = {"flags": "", "strings": {}}
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+"(.*)"$', line)
        if match:
            key = match.group(1)
            current["strings"][key] = match.group(2)
        elif line.startswith('"') and key:
            current["strings"][key] += line[1:-1]
    if current:
        entries.append(current)
    return [e for e in entries if e["strings"].get("msgid")]


LOCALE = Path(settings.BASE_DIR) / "locale"


def test_every_message_has_a_vietnamese_translation():
    entries = _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    missing = [
        e["strings"]["msgid"]
        for e in entries
        if not all(v for k, v in e["strings"].items() if k.startswith("msgstr"))
    ]
    assert missing == []
    assert [e["strings"]["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_compiled_catalogue_matches_the_translations():
    """The committed .mo holds every translated message of the .po (compilemessages was run)."""
    import gettext

    po = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalog}
    for entry in _entries(po):
        escaped = entry["strings"]["msgid"]
        msgid = escaped.encode().decode("unicode_escape").encode("latin-1").decode()
        if "msgctxt" in entry["strings"]:
            continue
        assert msgid in compiled, msgid
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.mo").exists()
