"""The second step of signing in (enrol an authenticator, or enter its code), re-authentication,
and the lockout page. The first step, username and password, is web.views.SignInView."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from safeguard.audit_trail.services import Action, Outcome, audit_log

from . import otp
from .forms import CodeForm, ReauthForm
from .reauth import mark_recent_auth

# Wrong passwords or codes on the re-authentication page before the session is ended.
REAUTH_ATTEMPTS = 5
REAUTH_FAILURES_KEY = "safeguard_reauth_failures"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def audit_access(request: HttpRequest, *, step: str, outcome: str = Outcome.SUCCESS, **details) -> None:
    """Sign-in steps go in the audit trail: who, which step, and what happened (never a code)."""
    user = request.user if request.user.is_authenticated else None
    audit_log(actor=user, actor_label=None if user else details.pop("username", "unknown"),
              action=Action.ACCESS, object_type="session", outcome=outcome, details={"step": step, **details})


def _complete(request: HttpRequest, device) -> HttpResponse:
    otp.mark_verified(request, device)
    mark_recent_auth(request)
    audit_access(request, step="second factor")
    return redirect(_next(request))


@never_cache
@sensitive_post_parameters("code")
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code into an authenticator app, then enter its code."""
    if otp.confirmed_device(request.user):
        return redirect(f"{resolve_url('accounts:verify')}?{request.GET.urlencode()}")
    device = otp.pending_device(request.user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_log(actor=request.user, action=Action.ALTERATION, object_type="otp_totp.totpdevice",
                  object_ids=[device.pk], details={"reason": "authenticator enrolled"})
        return _complete(request, device)
    if request.method == "POST":
        audit_access(request, step="enrol", outcome=Outcome.DENIED, reason="wrong code")
    return render(request, "accounts/enrol.html", {
        "form": form, "qr_svg": otp.qr_svg(device), "key": otp.readable_key(device), "next": _next(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of every sign-in: the code from the authenticator app."""
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect(f"{resolve_url('accounts:enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        return _complete(request, device)
    if request.method == "POST":
        audit_access(request, step="second factor", outcome=Outcome.DENIED, reason="wrong code")
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@never_cache
@sensitive_post_parameters("password", "code")
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm it's you: password and code again. Five wrong tries end the session."""
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect(f"{resolve_url('accounts:enrol')}?{request.GET.urlencode()}")
    form = ReauthForm(request.POST or None, device=device, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            request.session.pop(REAUTH_FAILURES_KEY, None)
            mark_recent_auth(request)
            audit_access(request, step="re-authentication")
            return redirect(_next(request))
        failures = request.session.get(REAUTH_FAILURES_KEY, 0) + 1
        request.session[REAUTH_FAILURES_KEY] = failures
        audit_access(request, step="re-authentication", outcome=Outcome.DENIED, failures=failures)
        if failures >= REAUTH_ATTEMPTS:
            logout(request)
            return redirect(f"{resolve_url('web:sign-in')}?ended=reauth")
    return render(request, "accounts/reauth.html", {"form": form, "next": _next(request)})


LOCKED_OUT_MESSAGE = (f"Too many failed attempts to sign in with this username. Wait "
                      f"{int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes and try again, or ask your "
                      "Safeguard administrator to unlock the account")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout response: the sign-in page with one error, the same whether or not
    the username exists or the password was right (axes counts failures for any username)."""
    from safeguard.web.forms import SignInForm

    class LockedOutForm(SignInForm):
        def clean(self):  # no authenticate(): the account is locked whatever was typed
            raise forms.ValidationError(LOCKED_OUT_MESSAGE)

    form = LockedOutForm(request, data=request.POST)
    form.is_valid()
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    audit_log(actor=None, actor_label=username[:150] or "unknown", action=Action.ACCESS, object_type="session",
              outcome=Outcome.DENIED, details={"step": "password", "reason": "locked out"})
    return render(request, "web/sign_in.html", {"form": form, "next": _next(request)}, status=429)
