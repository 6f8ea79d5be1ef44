"""Public corrections: from the anonymous form, through the moderation queue, to history."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse

from providers.models import Organization, Phone, ServiceAtLocation, Status, Suggestion
from providers.permissions import EDITORS, PROVIDER_STAFF
from providers.suggestions import CannotApply, apply_suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def row(make_provider):
    return make_provider(
        name="Harbor House",
        phone="+12125550100",
        street="350 Fifth Avenue",
        services=("victim-advocacy",),
    )


def suggest_url(row):
    return reverse("directory:suggest-correction", args=[row.pk])


def form_data(client, url, **changes):
    """What a person sends: the pre-filled form with their changes."""
    form = client.get(url).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, list):
            data[field.html_name] = value
        elif value not in (None, ""):
            data[field.html_name] = value
    data.update(changes)
    return data


# --- the public forms -----------------------------------------------------------------------


def test_correction_form_needs_no_login_and_is_prefilled(client, row):
    response = client.get(suggest_url(row))
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert form["name"].value() == "Harbor House"
    assert form["phone_voice"].value() == "+12125550100"
    assert form["phone_tty"].value() in ("", None)
    assert form["services"].value() == ["victim-advocacy"]
    body = response.content.decode()
    assert 'name="contact_name"' in body and 'tabindex="-1"' in body
    assert '<div hidden aria-hidden="true">' in body
    # Nothing about the person: no name, email or contact fields.
    assert set(form.fields) == {
        "name", "phone_voice", "phone_hotline", "phone_text", "phone_tty", "website",
        "address_1", "city", "state", "postcode",
        "hours_note", "services", "description", "message", "contact_name",
    }  # fmt: skip
    assert 'type="email"' not in body


def test_correction_stores_only_the_changed_fields(client, row):
    data = form_data(client, suggest_url(row), phone_voice="212-555-0199", message="Number changed")
    response = client.post(suggest_url(row), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == HTTPStatus.OK
    assert "We received your suggestion" in response.content.decode()
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.CORRECTION
    assert suggestion.proposed == {"phone_voice": "212-555-0199"}
    assert suggestion.shown == {"phone_voice": "+12125550100"}
    assert suggestion.message == "Number changed"
    assert suggestion.organization == row.service.organization
    # The sender's address is nowhere in what is stored.
    stored = str(Suggestion.objects.values().get())
    assert "203.0.113.9" not in stored


def test_confidential_street_is_not_prefilled(client, make_provider):
    hidden = make_provider(confidential=True, street="12 Secret Lane")
    response = client.get(suggest_url(hidden))
    assert response.context["form"]["address_1"].value() in ("", None)
    assert "Secret Lane" not in response.content.decode()


def test_empty_correction_is_refused_with_a_message(client, row):
    response = client.post(suggest_url(row), form_data(client, suggest_url(row)))
    assert response.status_code == HTTPStatus.OK
    assert "Change a field above or tell us what is wrong." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_bad_zip_gets_a_clear_message(client, row):
    response = client.post(suggest_url(row), form_data(client, suggest_url(row), postcode="ABC"))
    assert "Use a 5-digit ZIP code." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_unlisted_or_unknown_listing_is_404(client, make_provider):
    draft = make_provider(status=Status.DRAFT)
    assert client.get(suggest_url(draft)).status_code == HTTPStatus.NOT_FOUND
    unknown = reverse("directory:suggest-correction", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(unknown).status_code == HTTPStatus.NOT_FOUND


def test_honeypot_is_thanked_and_dropped(client, row):
    data = form_data(client, suggest_url(row), phone_voice="1", contact_name="Buy pills")
    response = client.post(suggest_url(row), data)
    assert response.status_code == HTTPStatus.OK
    assert "We received your suggestion" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_rate_limit_per_client_without_storing_the_address(client, settings):
    settings.SUGGESTION_RATE_PER_HOUR = 2
    url = reverse("directory:suggest-provider")
    for _ in range(2):
        response = client.post(url, {"name": "New Place"}, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == HTTPStatus.OK
    response = client.post(url, {"name": "New Place"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "try again in an hour" in response.content.decode()
    assert response["Retry-After"] == "3600"
    # Someone else is not affected.
    other = client.post(url, {"name": "New Place"}, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == HTTPStatus.OK
    assert Suggestion.objects.count() == 3
    keys = list(cache._cache.keys())
    assert keys and not any("198.51.100" in key for key in keys)


def test_new_provider_form(client):
    url = reverse("directory:suggest-provider")
    assert client.get(url).status_code == HTTPStatus.OK
    missing = client.post(url, {"city": "Austin"})
    assert "This field is required." in missing.content.decode()
    response = client.post(
        url,
        {
            "name": "Hill Country Advocates",
            "phone_voice": "(512) 555-0100",
            "city": "Austin",
            "state": "tx",
            "postcode": "78701",
            "services": ["legal-assistance"],
            "message": "They opened last month.",
        },
    )
    assert response.status_code == HTTPStatus.OK
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.NEW_PROVIDER
    assert suggestion.proposed == {
        "name": "Hill Country Advocates",
        "phone_voice": "(512) 555-0100",
        "city": "Austin",
        "state": "TX",
        "postcode": "78701",
        "services": ["legal-assistance"],
    }


def test_suggest_pages_are_translatable(client, row):
    response = client.get("/es" + suggest_url(row))
    assert response.status_code == HTTPStatus.OK
    assert "Enviar la corrección" in response.content.decode()
    new = client.get("/es/suggest/").content.decode()
    assert "Sugerir un nuevo proveedor" in new
    assert "Nombre de la organización" in new


def test_provider_page_links_to_the_correction_form(client, row):
    page = client.get(reverse("directory:provider-detail", args=[row.pk]))
    assert suggest_url(row) in page.content.decode()


def test_suggest_links_include(row):
    from django.template.loader import render_to_string

    links = render_to_string("directory/includes/suggest_links.html", {"listing": row})
    assert suggest_url(row) in links
    assert reverse("directory:suggest-provider") in links


def test_suggest_pages_send_the_public_headers(client, row):
    response = client.get(suggest_url(row))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


# --- moderation queue -----------------------------------------------------------------------


@pytest.fixture
def editor(make_user):
    return make_user(role=EDITORS, username="editor-ed")


def review_url(suggestion):
    return reverse("admin:providers_suggestion_change", args=[suggestion.pk])


def send_correction(client, row, **changes):
    client.post(suggest_url(row), form_data(client, suggest_url(row), **changes))
    return Suggestion.objects.latest("created_at")


def test_review_page_shows_current_beside_proposed(client, row, editor):
    suggestion = send_correction(
        client, row, phone_voice="212-555-0199", website="https://harbor.example"
    )
    client.force_login(editor)
    response = client.get(review_url(suggestion))
    assert response.status_code == HTTPStatus.OK
    rows = {r["name"]: r for r in response.context["rows"]}
    assert rows["phone_voice"]["current"] == "+12125550100"
    assert rows["phone_voice"]["proposed"] == "212-555-0199"
    assert rows["website"]["current"] == ""
    body = response.content.decode()
    assert 'name="accept" value="phone_voice"' in body
    assert 'name="accept" value="website"' in body


def test_editor_takes_a_correction_to_published_with_history(client, row, editor):
    suggestion = send_correction(
        client, row, phone_voice="212-555-0199", name="Harbor House Inc", city="Brooklyn"
    )
    assert set(suggestion.proposed) == {"phone_voice", "name", "city"}
    client.force_login(editor)
    accept = {"_apply": "1", "accept": ["phone_voice", "name"]}
    response = client.post(review_url(suggestion), accept)
    organization = Organization.objects.get(pk=row.service.organization.pk)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("admin:providers_organization_change", args=[organization.pk])

    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PARTIALLY_ACCEPTED
    assert suggestion.decisions == {
        "phone_voice": "accepted",
        "name": "accepted",
        "city": "rejected",
    }
    assert suggestion.reviewed_by == editor
    # Published: the public listing now reads the new values.
    listed = ServiceAtLocation.objects.listed().get(pk=row.pk)
    assert listed.service.organization.name == "Harbor House Inc"
    assert Phone.objects.get(service=row.service).number == "+12125550199"
    assert listed.location.city == "New York"
    # History: who, when, what, and why.
    record = organization.history.latest()
    assert record.history_user == editor
    assert record.name == "Harbor House Inc"
    assert record.prev_record.name == "Harbor House"
    assert "Public suggestion" in record.history_change_reason
    assert Phone.history.filter(number="+12125550199").latest().history_user == editor


@pytest.fixture
def tty_first(row):
    """The service's TTY line sorts first by position: the voice line is not the first row."""
    Phone.objects.filter(service=row.service).update(position=1)
    Phone.objects.create(
        service=row.service, number="+12125550111", kind=Phone.Kind.TTY, position=0
    )
    return row


def test_each_phone_is_named_by_kind_in_the_form_and_the_review(client, tty_first, editor):
    form = client.get(suggest_url(tty_first)).context["form"]
    assert form["phone_voice"].value() == "+12125550100"
    assert form["phone_tty"].value() == "+12125550111"
    assert form["phone_text"].value() in ("", None)
    suggestion = send_correction(client, tty_first, phone_voice="212-555-0199")
    assert suggestion.proposed == {"phone_voice": "212-555-0199"}
    client.force_login(editor)
    body = client.get(review_url(suggestion)).content.decode()
    assert "Phone (voice calls)" in body
    assert "+12125550111" not in body  # the TTY line is not what they proposed to change


def test_accepted_voice_number_lands_on_the_voice_line_not_the_tty(client, tty_first, editor):
    suggestion = send_correction(client, tty_first, phone_voice="212-555-0199")
    client.force_login(editor)
    client.post(review_url(suggestion), {"_apply": "1", "accept": ["phone_voice"]})
    phones = dict(Phone.objects.filter(service=tty_first.service).values_list("kind", "number"))
    assert phones == {Phone.Kind.VOICE: "+12125550199", Phone.Kind.TTY: "+12125550111"}


def test_accepted_text_number_adds_a_text_line(client, row, editor):
    suggestion = send_correction(client, row, phone_text="212-555-0122")
    client.force_login(editor)
    client.post(review_url(suggestion), {"_apply": "1", "accept": ["phone_text"]})
    phones = dict(Phone.objects.filter(service=row.service).values_list("kind", "number"))
    assert phones == {Phone.Kind.VOICE: "+12125550100", Phone.Kind.TEXT: "+12125550122"}


def test_an_old_kindless_phone_suggestion_lands_on_the_number_they_saw(tty_first, editor):
    suggestion = Suggestion.objects.create(
        kind=Suggestion.Kind.CORRECTION,
        service_at_location=tty_first,
        organization=tty_first.service.organization,
        proposed={"phone": "212-555-0133"},
        shown={"phone": "+12125550111"},
    )
    apply_suggestion(suggestion, ["phone"], user=editor)
    phones = dict(Phone.objects.filter(service=tty_first.service).values_list("kind", "number"))
    assert phones == {Phone.Kind.VOICE: "+12125550100", Phone.Kind.TTY: "+12125550133"}
    stale = Suggestion.objects.create(
        kind=Suggestion.Kind.CORRECTION,
        service_at_location=tty_first,
        proposed={"phone": "212-555-0144"},
        shown={"phone": "+12125559999"},
    )
    with pytest.raises(CannotApply, match="has changed since"):
        apply_suggestion(stale, ["phone"], user=editor)


def test_reverting_from_history_restores_the_old_value(client, row, editor):
    """An accepted suggestion is undone from the listing history, field by field (the
    record's own History opens it; a whole-record revert is refused: tests/
    test_listing_history.py)."""
    suggestion = send_correction(client, row, name="Wrong Name")
    client.force_login(editor)
    client.post(review_url(suggestion), {"_apply": "1", "accept": ["name"]})
    organization = Organization.objects.get(pk=row.service.organization.pk)
    assert organization.name == "Wrong Name"
    accepted = organization.history.filter(name="Wrong Name").latest()
    history_page = reverse("admin:providers_organization_history", args=[organization.pk])
    listing_history = reverse(
        "admin:providers_organization_listing_history", args=[organization.pk]
    )
    assert client.get(history_page).url == listing_history
    assert client.get(listing_history).status_code == HTTPStatus.OK
    data = {"kind": "organization", "history_id": accepted.history_id, "field": "name"}
    assert client.post(listing_history, data).status_code == HTTPStatus.FOUND
    organization.refresh_from_db()
    assert organization.name == "Harbor House"
    assert organization.history.latest().history_user == editor


def test_reject_all(client, row, editor):
    suggestion = send_correction(client, row, name="Spam Name")
    client.force_login(editor)
    client.post(review_url(suggestion), {"_reject": "1", "accept": ["name"]})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REJECTED
    assert Organization.objects.get(pk=row.service.organization.pk).name == "Harbor House"
    # A decided suggestion cannot be applied again.
    assert client.post(review_url(suggestion), {"_apply": "1"}).status_code == HTTPStatus.FORBIDDEN


def test_accepting_an_address_replaces_the_coordinates(client, row, editor):
    suggestion = send_correction(
        client, row, address_1="1100 Congress Ave", city="Austin", state="TX", postcode="78701"
    )
    client.force_login(editor)
    client.post(
        review_url(suggestion),
        {"_apply": "1", "accept": ["address_1", "city", "state", "postcode"]},
    )
    location = row.location
    location.refresh_from_db()
    assert location.city == "Austin"
    assert round(location.latitude) == 30
    assert location.timezone == "America/Chicago"


def test_accepting_services_changes_only_service_types(client, make_provider, editor):
    row = make_provider(services=("victim-advocacy",), populations=("lgbtq",))
    suggestion = send_correction(client, row, services=["legal-assistance", "victim-advocacy"])
    client.force_login(editor)
    client.post(review_url(suggestion), {"_apply": "1", "accept": ["services"]})
    slugs = set(row.service.terms.values_list("slug", flat=True))
    assert slugs == {"legal-assistance", "victim-advocacy", "lgbtq"}


def test_new_provider_suggestion_becomes_a_draft_to_complete(client, editor):
    client.post(
        reverse("directory:suggest-provider"),
        {
            "name": "Hill Country Advocates",
            "phone_voice": "(512) 555-0100",
            "city": "Austin",
            "state": "TX",
            "postcode": "78701",
            "services": ["legal-assistance"],
        },
    )
    suggestion = Suggestion.objects.get()
    client.force_login(editor)
    response = client.post(
        review_url(suggestion),
        {"_apply": "1", "accept": ["name", "phone_voice", "city", "state", "postcode", "services"]},
    )
    organization = Organization.objects.get(name="Hill Country Advocates")
    assert response.url == reverse("admin:providers_organization_change", args=[organization.pk])
    assert organization.status == Status.DRAFT
    service = organization.services.get()
    location = organization.locations.get()
    assert location.latitude is not None and location.city == "Austin"
    assert service.phones.get().number == "+15125550100"
    assert list(service.terms.values_list("slug", flat=True)) == ["legal-assistance"]
    assert organization.history.get().history_user == editor
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert suggestion.organization == organization
    # Not public until an editor publishes it.
    assert not ServiceAtLocation.objects.listed().filter(service=service).exists()


def test_new_provider_needs_its_name_accepted(client, editor):
    client.post(reverse("directory:suggest-provider"), {"name": "X Org", "city": "Austin"})
    suggestion = Suggestion.objects.get()
    with pytest.raises(CannotApply):
        apply_suggestion(suggestion, ["city"], user=editor)
    assert not Organization.objects.filter(name="X Org").exists()


def test_provider_staff_cannot_moderate(client, row, make_user):
    suggestion = send_correction(client, row, name="Staff Wish")
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[row.service.organization]))
    assert client.get(review_url(suggestion)).status_code == HTTPStatus.FORBIDDEN
    response = client.post(review_url(suggestion), {"_apply": "1", "accept": ["name"]})
    assert response.status_code == HTTPStatus.FORBIDDEN
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING


def test_queue_has_no_add_button(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:providers_suggestion_add")).status_code == (
        HTTPStatus.FORBIDDEN
    )


def test_an_accepted_number_keeps_the_extension_it_gave(client, row, editor):
    suggestion = send_correction(client, row, phone_voice="212-555-0199 x12")
    client.force_login(editor)
    client.post(review_url(suggestion), {"_apply": "1", "accept": ["phone_voice"]})
    phone = Phone.objects.get(service=row.service, kind=Phone.Kind.VOICE)
    assert (phone.number, phone.extension) == ("+12125550199", "12")
