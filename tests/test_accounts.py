"""Accounts: lockout after guessing, strong passwords, and the optional second factor."""

import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 4 tests"  # what tests/conftest.py create_user sets


def current_token(device: TOTPDevice, *, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_token(device: TOTPDevice) -> str:
    """A code the device refuses: none of the codes it accepts now (its tolerance either side,
    and one step more in case the clock moves on); a fixed "000000" was one 3 times in a million."""
    margin = device.tolerance + 1
    accepted = {current_token(device, steps=steps) for steps in range(-margin, margin + 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def login(client, username, password, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index"), **extra},
    )


# --- lockout ---------------------------------------------------------------------------------


def test_login_locks_after_repeated_failures(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = make_user(role=EDITORS, username="guessed")
    for _ in range(4):
        response = login(client, "guessed", "wrong password here")
        assert response.status_code == HTTPStatus.OK  # the form again, with an error
    locked = login(client, "guessed", "wrong password here")
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Sign-in locked" in locked.content.decode()
    # Even the right password is refused while locked.
    response = login(client, "guessed", PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    # Another person on another network is not locked out.
    other = make_user(role=EDITORS, username="colleague")
    assert login(client, other.username, PASSWORD).status_code == HTTPStatus.FOUND
    assert user.is_active


def test_successful_login_resets_the_failure_count(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(role=EDITORS, username="typo")
    login(client, "typo", "wrong password here")
    login(client, "typo", "wrong password here")
    assert login(client, "typo", PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()
    login(client, "typo", "wrong password here")
    assert login(client, "typo", PASSWORD).status_code == HTTPStatus.FOUND


def login_from(client, username, password, **meta):
    """A sign-in with the request's own headers and peer address (`REMOTE_ADDR=`...)."""
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(reverse("admin:login"), data, **meta)


def test_rotating_forwarded_for_does_not_escape_the_lockout(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(role=EDITORS, username="guessed")
    statuses = [
        login_from(
            client,
            "guessed",
            "wrong password here",
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [HTTPStatus.OK] * 2 + [HTTPStatus.TOO_MANY_REQUESTS] * 2


def test_a_stranger_behind_the_same_proxy_cannot_lock_the_admin_out(client, make_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    make_user(role=EDITORS, username="site-admin")
    proxy, admin_address = "10.0.0.2", "198.51.100.5"
    for _ in range(4):
        # The stranger even names the admin's address in the header it writes itself; the
        # proxy appends the stranger's real one.
        stranger = login_from(
            client,
            "site-admin",
            "wrong password here",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"{admin_address}, 203.0.113.66",
        )
    assert stranger.status_code == HTTPStatus.TOO_MANY_REQUESTS
    admin = login_from(
        client, "site-admin", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=admin_address
    )
    assert admin.status_code == HTTPStatus.FOUND


def test_failures_during_a_lockout_do_not_renew_it(client, make_user, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    make_user(role=EDITORS, username="patient")
    login(client, "patient", "wrong password here")
    assert login(client, "patient", "wrong password here").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=59))
    assert login(client, "patient", "wrong password here").status_code == 429
    # The hour since the lockout began is over: the failure during it did not extend it.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    assert login(client, "patient", PASSWORD).status_code == HTTPStatus.FOUND


# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    ["short1!", "password1234", "123456789012", "editor-ed-2024"],
    ids=["too-short", "common", "numeric", "like-username"],
)
def test_weak_passwords_are_refused(make_user, weak):
    user = make_user(username="editor-ed-2024", email="ed@example.org")
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_a_long_passphrase_is_accepted(make_user):
    user = make_user(username="ed")
    validate_password("correct horse battery staple", user=user)


# --- second factor ---------------------------------------------------------------------------


def test_without_2fa_setting_a_password_login_reaches_the_admin(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = False
    make_user(role=EDITORS, username="plain")
    assert login(client, "plain", PASSWORD).status_code == HTTPStatus.FOUND
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_admin_index_offers_enrolment_when_optional(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = False
    client.force_login(make_user(role=EDITORS))
    body = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:2fa-enrol") in body


def test_with_2fa_an_unverified_staff_user_cannot_reach_the_admin(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    client.force_login(make_user(role=EDITORS, username="unverified"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("admin:login"))
    changelist = client.get(reverse("admin:providers_organization_changelist"))
    assert changelist.status_code == HTTPStatus.FOUND
    # With no device yet, the login page sends them to enrol one.
    assert client.get(response.url).url == reverse("admin:2fa-enrol")


def test_enrolling_a_totp_device_verifies_the_session(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = make_user(role=EDITORS, username="enrolling")
    client.force_login(user)
    page = client.get(reverse("admin:2fa-enrol"))
    assert page.status_code == HTTPStatus.OK
    assert page.context["secret"] in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("admin:2fa-enrol"), {"otp_token": current_token(device)})
    assert response.url == reverse("admin:index")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_enrolling_with_a_wrong_code_says_so(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = make_user(role=EDITORS, username="mistyped")
    client.force_login(user)
    client.get(reverse("admin:2fa-enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("admin:2fa-enrol"), {"otp_token": wrong_token(device)})
    assert "did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND


def test_with_a_device_login_needs_the_code(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = make_user(role=EDITORS, username="enrolled")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    without = login(client, "enrolled", PASSWORD)
    assert without.status_code == HTTPStatus.OK
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND
    response = login(
        client,
        "enrolled",
        PASSWORD,
        otp_device=device.persistent_id,
        otp_token=current_token(device),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_enrol_page_cannot_add_a_second_device_unverified(client, make_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = make_user(role=EDITORS, username="has-device")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    response = client.get(reverse("admin:2fa-enrol"))
    assert response.status_code == HTTPStatus.FOUND
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrol_page_needs_a_staff_login(client, make_user):
    response = client.get(reverse("admin:2fa-enrol"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response.url
    client.force_login(make_user(username="member-of-public"))
    assert client.get(reverse("admin:2fa-enrol")).status_code == HTTPStatus.FOUND
    assert not TOTPDevice.objects.exists()


# --- the referrals sign-in goes through the same lockout ---------------------------------------


def referrals_sign_in(client, username, password, *, prefix=""):
    return client.post(f"{prefix}/referrals/sign-in/", {"username": username, "password": password})


def test_referrals_sign_in_locks_after_repeated_failures(client, settings):
    from conftest import create_referral_user

    from referrals.models import Agency

    settings.AXES_FAILURE_LIMIT = 3
    agency = Agency.objects.create(name="Hotline")
    create_referral_user("advocate-al", agency=agency, password=PASSWORD)
    for _ in range(2):
        response = referrals_sign_in(client, "advocate-al", "wrong password here")
        assert response.status_code == HTTPStatus.OK  # the form again, with an error
        assert "Please enter a correct username and password" in response.content.decode()
    locked = referrals_sign_in(client, "advocate-al", "wrong password here")
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    html = locked.content.decode()
    assert "Sign-in locked" in html and "locked from this network for 1 hour" in html
    assert "Quick exit" in html  # the referrals page look, not the admin's
    assert locked["Referrer-Policy"] == "same-origin"
    # Even the right password is refused while locked, on the admin sign-in too.
    assert referrals_sign_in(client, "advocate-al", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert login(client, "advocate-al", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_referrals_sign_in_failures_count_towards_the_admin_lockout(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user(role=EDITORS, username="both-ways")
    referrals_sign_in(client, "both-ways", "wrong password here")
    locked = login(client, "both-ways", "wrong password here")
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Sign-in locked" in locked.content.decode()
    assert "Quick exit" not in locked.content.decode()  # the admin's own look


def test_referrals_sign_in_resets_the_count_on_success(client, settings):
    from conftest import create_referral_user

    settings.AXES_FAILURE_LIMIT = 2
    create_referral_user("careful", password=PASSWORD)
    referrals_sign_in(client, "careful", "wrong password here")
    response = referrals_sign_in(client, "careful", PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    client.logout()
    referrals_sign_in(client, "careful", "wrong password here")
    assert referrals_sign_in(client, "careful", PASSWORD).status_code == HTTPStatus.FOUND


def test_spanish_referrals_lockout_page(client, settings):
    from conftest import create_referral_user

    settings.AXES_FAILURE_LIMIT = 1
    create_referral_user("ana", password=PASSWORD)
    locked = referrals_sign_in(client, "ana", "wrong password here", prefix="/es")
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Inicio de sesión bloqueado" in locked.content.decode()
