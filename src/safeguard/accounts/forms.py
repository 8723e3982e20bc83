"""The second step of signing in, enrolment and re-authentication: a six-digit code, and with
re-authentication the password too."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

CODE_HELP = "The 6-digit code your authenticator app shows for Safeguard"


def _throttle_message(device: TOTPDevice) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    wait = data.get("locked_until") if data else None
    return ("Too many wrong codes. Wait a minute and try again" if wait is None
            else f"Too many wrong codes. Try again after {timezone.localtime(wait).strftime('%H:%M:%S')}")


class CodeForm(forms.Form):
    """Checks a TOTP code against one device. A wrong code slows the next tries (django-otp's
    throttling doubles the wait after each failure) and a code is accepted once only."""

    code = forms.CharField(label="Code", help_text=CODE_HELP, max_length=12,
                           error_messages={"required": "Enter the 6-digit code from your authenticator app"})

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        throttled = _throttle_message(self.device)
        if throttled:
            raise forms.ValidationError(throttled)
        if not self.device.verify_token(code):
            raise forms.ValidationError("The code is not right or has run out. Enter the code your app shows now")
        return code


class ReauthForm(CodeForm):
    """Password and code again, before an export, break-glass or a change of roles."""

    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput,
                               error_messages={"required": "Enter your password"})
    field_order = ["password", "code"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():  # signed on through the identity provider
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Enter your correct password")
        return password
