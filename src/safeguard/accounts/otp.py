"""The second factor: one TOTP authenticator per user (django-otp), its QR code, and whether the
current session has passed the second step of signing in."""

from __future__ import annotations

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEVICE_NAME = "Authenticator app"
# Set in the session when the identity provider reported a second factor of its own (SSO).
IDP_MFA_SESSION_KEY = "safeguard_idp_mfa_user"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: made once, so reloading the page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def base32_key(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def readable_key(device: TOTPDevice) -> str:
    """The key in groups of four, as people type it into an authenticator app."""
    key = base32_key(device).rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: no image request, nothing the CSP has to allow."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator shows now (used only by the demo's totp_code)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)


def second_factor_passed(request: HttpRequest) -> bool:
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) == user.pk

