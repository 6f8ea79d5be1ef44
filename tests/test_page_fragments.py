"""Markup made once per process (directory_tags.rendered_once, checkboxes, widget_once):
what it shows follows every change it depends on, and nothing of one visitor's search."""

import pytest

from providers.models import Hotline, Term

pytestmark = pytest.mark.django_db


def footer(client, path="/") -> str:
    body = client.get(path).content.decode()
    return body[body.index('<footer class="site-footer">') :]


def test_a_hotline_saved_or_deleted_shows_on_the_next_page(
    client, django_capture_on_commit_callbacks
):
    assert "Harbor Line" not in footer(client)  # the footer is now kept, in English
    assert "Harbor Line" not in footer(client, "/es/")
    with django_capture_on_commit_callbacks(execute=True):
        hotline = Hotline.objects.create(
            slug="harbor-line", name="Harbor Line", phone="+18005550100", position=99
        )
    assert "Harbor Line" in footer(client)
    assert "Harbor Line" in footer(client, "/es/")
    with django_capture_on_commit_callbacks(execute=True):
        hotline.name = "Lighthouse Line"
        hotline.save()
    assert "Lighthouse Line" in footer(client)
    assert "Harbor Line" not in footer(client)
    with django_capture_on_commit_callbacks(execute=True):
        hotline.delete()
    assert "Lighthouse Line" not in footer(client)
    assert "Lighthouse Line" not in footer(client, "/es/")


def test_the_main_menu_marks_the_page_it_is_on(client):
    for path, current in (("/", "/"), ("/about/", "/about/"), ("/", "/")):
        body = client.get(path).content.decode()
        menu = body[body.index('<nav class="site-nav"') : body.index('class="languages"')]
        assert menu.count('aria-current="page"') == 1
        assert f'href="{current}" aria-current="page"' in menu


def test_checked_needs_and_errors_do_not_carry_over_to_the_next_search(client):
    slug = Term.objects.filter(kind=Term.Kind.SERVICE_TYPE).values_list("slug", flat=True)[0]
    chosen = client.get("/", {"near": "", "service": slug, "radius": "10"}).content.decode()
    assert f'name="service" value="{slug}"' in chosen
    assert " checked" in chosen.split(f'value="{slug}"')[1][:40]
    assert '<option value="10" selected>' in chosen
    plain = client.get("/", {"near": ""}).content.decode()
    assert " checked" not in plain.split(f'value="{slug}"')[1][:40]
    assert '<option value="10" selected>' not in plain
    assert '<option value="25" selected>' in plain
    wrong = client.get("/", {"near": "", "service": "no-such-need"}).content.decode()
    assert 'class="checkboxes needs has-error"' in wrong
    assert 'class="checkboxes needs has-error"' not in client.get("/").content.decode()
